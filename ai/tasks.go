package ai

import (
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/ai/suggest"
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

// Edition is what suggestions are made from: the parsed document and its
// rendered channels.
type Edition struct {
	ID     string
	Parsed content.Parsed
	Output render.Output
}

// Plan renders the prompts of every request for an edition: the email,
// one summary per section, the social drafts and the check.
func (p *Prompts) Plan(ed Edition) ([]suggest.Task, error) {
	v := PromptView{
		Title: ed.Parsed.Title, Edition: ed.ID,
		Subject: ed.Output.Email.Subject, Preheader: ed.Output.Email.Preheader,
		WebURL: ed.Output.Web.URL, Document: documentText(ed.Parsed),
	}
	for _, s := range ed.Output.Social {
		v.Platforms = append(v.Platforms, suggest.PlatformDraft{Name: s.Platform, Limit: s.Limit, Current: s.Text})
	}
	var tasks []suggest.Task
	add := func(id, kind, tmpl string, v PromptView) error {
		sys, user, err := p.render(tmpl, v)
		if err != nil {
			return err
		}
		tasks = append(tasks, suggest.Task{
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
	for _, s := range suggest.Sections(ed.Parsed) {
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

// documentText is the edition as plain text: title, intro, then each
// section under its heading.
func documentText(p content.Parsed) string {
	var b strings.Builder
	b.WriteString("# " + strings.TrimSpace(p.Title) + "\n\n")
	if intro := content.PlainText(p.Intro); intro != "" {
		b.WriteString(intro + "\n\n")
	}
	for _, s := range suggest.Sections(p) {
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
			"kind":  enum(suggest.FindingJargon, suggest.FindingPromise, suggest.FindingInconsistency),
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
