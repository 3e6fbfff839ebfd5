package ai

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/render"
)

// taskSuggestions turns a reply that passed the schema into the task's
// suggestions. Text is cleaned first; what is empty once cleaned, or a
// social draft over its network's limit, is dropped with a warning.
func taskSuggestions(t suggest.Task, content string) (suggest.Result, error) {
	schema, err := schemaFor(t.Kind)
	if err != nil {
		return suggest.Result{}, err
	}
	res := suggest.Result{Task: t.ID}
	drop := func(id, why string) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("suggestion %s dropped: %s", id, why))
	}
	add := func(s suggest.Suggestion) {
		if s.Text == "" {
			drop(s.ID, "nothing is left once markup is removed")
			return
		}
		res.Suggestions = append(res.Suggestions, s)
	}
	switch t.Kind {
	case TaskEmail:
		var r struct {
			Subjects  []string `json:"subjects"`
			Preheader string   `json:"preheader"`
		}
		if err := schema.Decode(content, &r); err != nil {
			return suggest.Result{}, err
		}
		for i, s := range r.Subjects {
			add(suggest.Suggestion{ID: suggest.KindSubject + ":" + strconv.Itoa(i+1), Kind: suggest.KindSubject, Original: t.Subject, Text: CleanLine(s)})
		}
		add(suggest.Suggestion{ID: suggest.KindPreheader, Kind: suggest.KindPreheader, Original: t.Preheader, Text: CleanLine(r.Preheader)})
	case TaskSummary:
		var r struct {
			Summary string `json:"summary"`
		}
		if err := schema.Decode(content, &r); err != nil {
			return suggest.Result{}, err
		}
		add(suggest.Suggestion{
			ID: suggest.KindSummary + "." + t.Section.ID, Kind: suggest.KindSummary, Target: t.Section.Heading,
			Original: firstParagraph(t.Section.Text), Text: CleanLine(r.Summary),
		})
	case TaskSocial:
		var r struct {
			Posts map[string]string `json:"posts"`
		}
		if err := schema.Decode(content, &r); err != nil {
			return suggest.Result{}, err
		}
		for _, p := range t.Platforms {
			id := suggest.KindSocial + "." + p.Name
			text := withLink(Clean(r.Posts[p.Name]), t.WebURL)
			n := render.Count(p.Name, text)
			if n > p.Limit {
				drop(id, fmt.Sprintf("%d characters, over %s's limit of %d", n, p.Name, p.Limit))
				continue
			}
			add(suggest.Suggestion{ID: id, Kind: suggest.KindSocial, Target: p.Name, Original: p.Current, Text: text, Length: n, Limit: p.Limit})
		}
	case TaskCheck:
		var r struct {
			Findings []suggest.Finding `json:"findings"`
		}
		if err := schema.Decode(content, &r); err != nil {
			return suggest.Result{}, err
		}
		for _, f := range r.Findings {
			f.Quote, f.Note = CleanLine(f.Quote), CleanLine(f.Note)
			if f.Quote != "" || f.Note != "" {
				res.Findings = append(res.Findings, f)
			}
		}
	}
	return res, nil
}

// withLink makes sure a post carries the link to the web update.
func withLink(post, url string) string {
	if url == "" || strings.Contains(post, url) {
		return post
	}
	return strings.TrimSpace(post + "\n\n" + url)
}

// firstParagraph is the start of a section's text, for showing next to
// its summary.
func firstParagraph(s string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(s), "\n\n")
	p = strings.Join(strings.Fields(p), " ")
	if r := []rune(p); len(r) > 300 {
		p = strings.TrimSpace(string(r[:299])) + "…"
	}
	return p
}
