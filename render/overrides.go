package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// Overrides are texts an approver accepted in place of what the renderer
// derives. They are plain text and get the same escaping as document
// text: HTML-escaped by the templates, merge-tag escaped in email, so
// "{{email}}" in one stays literal.
type Overrides struct {
	// Subject replaces the rendered subject of every email variant.
	Subject string `json:"subject,omitempty"`
	// Preheader replaces the inbox preview line.
	Preheader string `json:"preheader,omitempty"`
	// Leads replace sections' lead text, the teaser social posts quote.
	Leads []Lead `json:"leads,omitempty"`
	// Social replaces whole drafts, by platform; each must fit its limit.
	Social map[string]string `json:"social,omitempty"`
	// Posting records an approver's choice to post a platform's draft
	// (true) or keep it a draft (false); platforms not named follow the
	// run's settings. It is part of what approvers approve.
	Posting map[string]bool `json:"posting,omitempty"`
}

// Lead is the accepted teaser of the section at Section (its index in
// the parsed document).
type Lead struct {
	Section int    `json:"section"`
	Text    string `json:"text"`
}

// IsZero reports whether nothing is overridden.
func (o Overrides) IsZero() bool {
	return o.Subject == "" && o.Preheader == "" && len(o.Leads) == 0 && len(o.Social) == 0 && len(o.Posting) == 0
}

// applyDocument puts the overrides that feed every channel into d.
func (o Overrides) applyDocument(d *document) error {
	if p := oneLine(o.Preheader); p != "" {
		d.preheader = fitPrefix(p, maxChars(maxPreheader))
	}
	for _, l := range o.Leads {
		if l.Section < 0 || l.Section >= len(d.sections) {
			return fmt.Errorf("accepted summary for section %d: the document has %d sections", l.Section+1, len(d.sections))
		}
		if t := oneLine(l.Text); t != "" {
			d.sections[l.Section].lead = t
		}
	}
	return nil
}

// subject returns the accepted subject, merge-tag escaped, or "".
func (o Overrides) subject() string {
	return oneLine(mergetag.Escape(o.Subject))
}

// applySocial replaces drafts with accepted ones, which must fit.
func (o Overrides) applySocial(drafts []SocialDraft) error {
	for _, p := range slices.Sorted(maps.Keys(o.Social)) {
		text := strings.TrimSpace(o.Social[p])
		i := slices.IndexFunc(drafts, func(d SocialDraft) bool { return d.Platform == p })
		if i < 0 {
			return fmt.Errorf("accepted %s draft: no such platform; the platforms are %s", p, strings.Join(Platforms(), ", "))
		}
		if n := Count(p, text); n > Limit(p) {
			return fmt.Errorf("accepted %s draft counts %d, over the limit of %d", p, n, Limit(p))
		}
		if text != "" {
			drafts[i].Text, drafts[i].Length, drafts[i].Limit = text, Count(p, text), Limit(p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(o.Posting)) {
		i := slices.IndexFunc(drafts, func(d SocialDraft) bool { return d.Platform == p })
		if i < 0 {
			return fmt.Errorf("posting choice for %s: no such platform; the platforms are %s", p, strings.Join(Platforms(), ", "))
		}
		drafts[i].Posting = PostingOff
		if o.Posting[p] {
			drafts[i].Posting = PostingOn
		}
	}
	return nil
}
