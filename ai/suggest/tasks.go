package suggest

import (
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// Task is one request, prompts rendered, with what turning its reply into
// suggestions needs. It holds only plain values, so it can travel as an
// activity's input.
type Task struct {
	// ID is the task's kind, or "summary.<section>" for a summary.
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	System string `json:"system"`
	User   string `json:"user"`
	// The originals the suggestions sit next to.
	Subject   string          `json:"subject,omitempty"`
	Preheader string          `json:"preheader,omitempty"`
	Section   SectionText     `json:"section,omitzero"`
	Platforms []PlatformDraft `json:"platforms,omitempty"`
	WebURL    string          `json:"web_url,omitempty"`
}

// Sections returns each section as plain text with a stable ID: its
// category key, else its heading's slug, suffixed "-2"… when repeated.
func Sections(p content.Parsed) []SectionText {
	seen := map[string]int{}
	out := make([]SectionText, 0, len(p.Sections))
	for _, s := range p.Sections {
		id := s.Category
		if id == "" {
			id = content.Slug(s.Heading)
		}
		if id == "" {
			id = "section"
		}
		seen[id]++
		if n := seen[id]; n > 1 {
			id += "-" + strconv.Itoa(n)
		}
		text := content.PlainText(s.Blocks)
		out = append(out, SectionText{ID: id, Heading: strings.TrimSpace(s.Heading), Text: text, Digest: textDigest(text)})
	}
	return out
}

// SectionText is one section as plain text.
type SectionText struct {
	ID      string
	Heading string
	Text    string
	// Digest is the SHA-256 of Text, kept when Text is dropped, so a
	// summary accepted for it can be matched to a later version.
	Digest string `json:",omitempty"`
}

// PlatformDraft is a network, its limit and the current draft.
type PlatformDraft struct {
	Name    string
	Limit   int
	Current string
}
