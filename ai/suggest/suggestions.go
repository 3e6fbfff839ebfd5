package suggest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/render"
)

// Suggestion kinds; a suggestion's ID starts with its kind.
const (
	KindSubject   = "subject"
	KindPreheader = "preheader"
	KindSummary   = "summary"
	KindSocial    = "social"
)

// Suggestion is one change an approver may accept by ID: "subject:1" to
// "subject:3", "preheader", "summary.<section>", "social.<network>".
type Suggestion struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Target is what it replaces beyond its kind: the section heading of a
	// summary, the network of a social draft.
	Target string `json:"target,omitempty"`
	// Original is the text the edition has now; Text the suggestion,
	// plain text cleaned of markup.
	Original string `json:"original"`
	Text     string `json:"text"`
	// Length and Limit of a social draft, as its network counts.
	Length int `json:"length,omitempty"`
	Limit  int `json:"limit,omitempty"`
}

// Finding kinds of the plain-language check.
const (
	FindingJargon        = "jargon"
	FindingPromise       = "promise"
	FindingInconsistency = "inconsistency"
)

// Finding is one problem the plain-language check flags; nothing changes
// by itself.
type Finding struct {
	Kind  string `json:"kind"`
	Quote string `json:"quote"`
	Note  string `json:"note"`
}

// Result is what one request yields.
type Result struct {
	Task        string       `json:"task"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	Findings    []Finding    `json:"findings,omitempty"`
	Usage       Usage        `json:"usage"`
	// Warnings say what was dropped and why (a reply that failed the
	// schema twice, a draft over its network's limit).
	Warnings []string `json:"warnings,omitempty"`
}

// Suggestions is every suggestion for an edition.
type Suggestions struct {
	Model       string       `json:"model"`
	Suggestions []Suggestion `json:"suggestions"`
	Findings    []Finding    `json:"findings"`
	Usage       Usage        `json:"usage"`
	Warnings    []string     `json:"warnings,omitempty"`
}

// Add merges the result of one request.
func (s *Suggestions) Add(r Result) {
	s.Suggestions = append(s.Suggestions, r.Suggestions...)
	s.Findings = append(s.Findings, r.Findings...)
	s.Usage = s.Usage.Add(r.Usage)
	s.Warnings = append(s.Warnings, r.Warnings...)
}

// Find returns the suggestion with id.
func (s Suggestions) Find(id string) (Suggestion, bool) {
	i := slices.IndexFunc(s.Suggestions, func(x Suggestion) bool { return x.ID == id })
	if i < 0 {
		return Suggestion{}, false
	}
	return s.Suggestions[i], true
}

// IDs lists every suggestion's ID in order.
func (s Suggestions) IDs() []string {
	ids := make([]string, len(s.Suggestions))
	for i, x := range s.Suggestions {
		ids[i] = x.ID
	}
	return ids
}

// ParseAccept splits an --accept value ("subject:2,social.x") into IDs.
func ParseAccept(v string) []string {
	var ids []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" && !slices.Contains(ids, p) {
			ids = append(ids, p)
		}
	}
	return ids
}

// Select returns the suggestions named by ids, or an error naming the
// first unknown ID and the ones there are. At most one subject may be
// accepted.
func (s Suggestions) Select(ids []string) ([]Suggestion, error) {
	var out []Suggestion
	subject := ""
	for _, id := range ids {
		x, ok := s.Find(id)
		if !ok {
			if len(s.Suggestions) == 0 {
				return nil, fmt.Errorf("no suggestion %q: this edition has no suggestions", id)
			}
			return nil, fmt.Errorf("no suggestion %q; accept one of %s", id, strings.Join(s.IDs(), ", "))
		}
		if x.Kind == KindSubject {
			if subject != "" {
				return nil, fmt.Errorf("accept one subject line, not %s and %s", subject, id)
			}
			subject = id
		}
		out = append(out, x)
	}
	return out, nil
}

// Apply adds accepted suggestions to the overrides o (earlier acceptances
// stay unless replaced): sections are the edition's, as Sections returns
// them, to find a summary's section.
func Apply(o render.Overrides, accepted []Suggestion, sections []SectionText) (render.Overrides, error) {
	o.Leads = slices.Clone(o.Leads)
	social := maps.Clone(o.Social)
	if social == nil {
		social = map[string]string{}
	}
	for _, s := range accepted {
		switch s.Kind {
		case KindSubject:
			o.Subject = s.Text
		case KindPreheader:
			o.Preheader = s.Text
		case KindSocial:
			social[s.Target] = s.Text
		case KindSummary:
			id := strings.TrimPrefix(s.ID, KindSummary+".")
			i := slices.IndexFunc(sections, func(x SectionText) bool { return x.ID == id })
			if i < 0 {
				return o, fmt.Errorf("suggestion %s: the edition has no section %q any more", s.ID, id)
			}
			o.Leads = slices.DeleteFunc(o.Leads, func(l render.Lead) bool { return l.Section == i })
			o.Leads = append(o.Leads, render.Lead{Section: i, Text: s.Text})
		default:
			return o, fmt.Errorf("suggestion %s: unknown kind %q", s.ID, s.Kind)
		}
	}
	if len(social) > 0 {
		o.Social = social
	}
	return o, nil
}
