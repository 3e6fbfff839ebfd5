package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SocialEdits are approvers' changes to the social drafts of a render
// whose update lives at URL: texts that replace drafts and choices to
// post or keep a draft, by platform.
type SocialEdits struct {
	URL     string            `json:"url"`
	Text    map[string]string `json:"text,omitempty"`
	Posting map[string]bool   `json:"posting,omitempty"`
}

// IsZero reports whether nothing is edited.
func (e SocialEdits) IsZero() bool { return len(e.Text) == 0 && len(e.Posting) == 0 }

// DroppedEdit is an edited text a new render of the edition cannot keep,
// and why.
type DroppedEdit struct {
	Platform string `json:"platform"`
	Text     string `json:"text"`
	Reason   string `json:"reason"`
}

// CarrySocial fits edits made on an earlier render to out, a new render
// of the edition, and applies those that fit to its drafts. An edited
// text stays when it still links the update: when the update's URL
// changed, the old URL in it becomes the new one; it must then fit the
// platform's limit. A posting choice always stays. It returns the edits
// now in out (their URL is out's) and the texts left out, with why.
func CarrySocial(edits SocialEdits, out *Output) (SocialEdits, []DroppedEdit) {
	url := out.Web.URL
	kept := SocialEdits{URL: url}
	var dropped []DroppedEdit
	drafts := out.Social
	has := func(p string) bool {
		return slices.ContainsFunc(drafts, func(d SocialDraft) bool { return d.Platform == p })
	}
	for _, p := range slices.Sorted(maps.Keys(edits.Text)) {
		text, why := "", fmt.Sprintf("the edition has no %s draft any more", p)
		if has(p) {
			text, why = carryText(p, strings.TrimSpace(edits.Text[p]), edits.URL, url)
		}
		if why != "" {
			dropped = append(dropped, DroppedEdit{Platform: p, Text: edits.Text[p], Reason: why})
			continue
		}
		if kept.Text == nil {
			kept.Text = map[string]string{}
		}
		kept.Text[p] = text
	}
	for _, p := range slices.Sorted(maps.Keys(edits.Posting)) {
		if !has(p) {
			continue // no draft to post or keep
		}
		if kept.Posting == nil {
			kept.Posting = map[string]bool{}
		}
		kept.Posting[p] = edits.Posting[p]
	}
	// Every kept text fits, so this cannot fail.
	_ = Overrides{Social: kept.Text, Posting: kept.Posting}.applySocial(drafts)
	return kept, dropped
}

// carryText is text, edited when the update lived at from, for a render
// whose update lives at to; or why it cannot stay.
func carryText(platform, text, from, to string) (string, string) {
	if text == "" {
		return "", "the edited text is empty"
	}
	moved := from != "" && from != to && strings.Contains(text, from)
	if moved {
		text = strings.ReplaceAll(text, from, to)
	}
	if to != "" && !strings.Contains(text, to) {
		return "", fmt.Sprintf("it does not link the update at %s, and a post must: the post is found by it, so it goes out only once", to)
	}
	if n, limit := Count(platform, text), Limit(platform); n > limit {
		if moved {
			return "", fmt.Sprintf("with the update's new link %s it counts %d characters, %d over the limit of %d", to, n, n-limit, limit)
		}
		return "", fmt.Sprintf("it counts %d characters, %d over the limit of %d", n, n-limit, limit)
	}
	return text, ""
}

// WithSocial is o with the edits e over its social drafts.
func (o Overrides) WithSocial(e SocialEdits) Overrides {
	o.Social, o.Posting = maps.Clone(o.Social), maps.Clone(o.Posting)
	for p, text := range e.Text {
		if o.Social == nil {
			o.Social = map[string]string{}
		}
		o.Social[p] = text
	}
	for p, post := range e.Posting {
		if o.Posting == nil {
			o.Posting = map[string]bool{}
		}
		o.Posting[p] = post
	}
	return o
}
