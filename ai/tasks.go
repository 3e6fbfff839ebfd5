package ai

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/templates"
)

// Task kinds: one request each.
const (
	TaskEmail   = "email"   // 3 subject lines and a preheader
	TaskSummary = "summary" // one section's summary, one task per section
	TaskSocial  = "social"  // a rewritten draft per network
	TaskCheck   = "check"   // the plain-language check
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

// Edition is what suggestions are made from: the parsed document and its
// rendered channels.
type Edition struct {
	ID     string
	Parsed content.Parsed
	Output render.Output
}

// Plan renders the prompts of every request for an edition: the email,
// one summary per section, the social drafts and the check.
func (p *Prompts) Plan(ed Edition) ([]Task, error) {
	v := PromptView{
		Title: ed.Parsed.Title, Edition: ed.ID,
		Subject: ed.Output.Email.Subject, Preheader: ed.Output.Email.Preheader,
		WebURL: ed.Output.Web.URL, Document: documentText(ed.Parsed),
	}
	for _, s := range ed.Output.Social {
		v.Platforms = append(v.Platforms, PlatformDraft{Name: s.Platform, Limit: s.Limit, Current: s.Text})
	}
	var tasks []Task
	add := func(id, kind, tmpl string, v PromptView) error {
		sys, user, err := p.render(tmpl, v)
		if err != nil {
			return err
		}
		tasks = append(tasks, Task{
			ID: id, Kind: kind, System: sys, User: user,
			Subject: v.Subject, Preheader: v.Preheader, Section: v.Section, WebURL: v.WebURL,
		})
		if kind == TaskSocial {
			tasks[len(tasks)-1].Platforms = v.Platforms
		}
		return nil
	}
	if err := add(TaskEmail, TaskEmail, templates.AIEmail, v); err != nil {
		return nil, err
	}
	for _, s := range Sections(ed.Parsed) {
		sv := v
		sv.Section = s
		if err := add(TaskSummary+"."+s.ID, TaskSummary, templates.AISummary, sv); err != nil {
			return nil, err
		}
	}
	if len(v.Platforms) > 0 {
		if err := add(TaskSocial, TaskSocial, templates.AISocial, v); err != nil {
			return nil, err
		}
	}
	if err := add(TaskCheck, TaskCheck, templates.AICheck, v); err != nil {
		return nil, err
	}
	return tasks, nil
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

// documentText is the edition as plain text: title, intro, then each
// section under its heading.
func documentText(p content.Parsed) string {
	var b strings.Builder
	b.WriteString("# " + strings.TrimSpace(p.Title) + "\n\n")
	if intro := content.PlainText(p.Intro); intro != "" {
		b.WriteString(intro + "\n\n")
	}
	for _, s := range Sections(p) {
		b.WriteString("## " + s.Heading + "\n\n" + s.Text + "\n\n")
	}
	return strings.TrimSpace(b.String())
}

// Limits of suggestions, in characters.
const (
	maxSubject   = 100
	maxPreheader = 160
	maxSummary   = 400
	maxQuote     = 300
)

// schemaFor is the reply schema of a task kind.
func schemaFor(kind string) (Schema, error) {
	switch kind {
	case TaskEmail:
		return object(map[string]Schema{"subjects": array(str(maxSubject), 3, 3), "preheader": str(maxPreheader)}), nil
	case TaskSummary:
		return object(map[string]Schema{"summary": str(maxSummary)}), nil
	case TaskSocial:
		posts := map[string]Schema{}
		for _, p := range render.Platforms() {
			posts[p] = str(render.Limit(p) * 2)
		}
		return object(map[string]Schema{"posts": object(posts)}), nil
	case TaskCheck:
		finding := object(map[string]Schema{
			"kind":  enum(FindingJargon, FindingPromise, FindingInconsistency),
			"quote": str(maxQuote), "note": str(maxQuote),
		})
		return object(map[string]Schema{"findings": array(finding, 0, 10)}), nil
	}
	return nil, fmt.Errorf("unknown task kind %q", kind)
}

// maxTokens bounds each kind's completion.
func maxTokens(kind string) int {
	switch kind {
	case TaskEmail, TaskSummary:
		return 400
	case TaskSocial:
		return 1500
	}
	return 1000
}
