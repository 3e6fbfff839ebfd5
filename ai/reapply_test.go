package ai

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

// editedEdition is the example document with text of its own added to
// the Tips section, rendered without suggestions.
func editedEdition(t *testing.T) (content.Parsed, render.Output) {
	t.Helper()
	src, err := os.ReadFile("../examples/living-document.md")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "## Tips\n", "## Tips\n\nNew this week: hum on the exhale.\n", 1)
	if edited == string(src) {
		t.Fatal("the example has no Tips section to edit")
	}
	doc, err := markdown.Convert([]byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(p, render.Edition{ID: "2026-W48", Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), WebBaseURL: "https://halcytone.example"})
	if err != nil {
		t.Fatal(err)
	}
	return p, out
}

func TestReapplyKeepsWhatStillFitsAndSaysWhatDoesNot(t *testing.T) {
	_, m := fakeModel(t, "")
	ed := testEdition(t)
	p, err := LoadPrompts("")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := p.Plan(ed)
	if err != nil {
		t.Fatal(err)
	}
	s, err := (&Runner{Model: m}).RunAll(context.Background(), tasks, DefaultBudget)
	if err != nil {
		t.Fatal(err)
	}
	sections := suggest.Sections(ed.Parsed)
	first, err := s.Select([]string{"subject:1", "summary.tips"})
	if err != nil {
		t.Fatal(err)
	}
	applied := suggest.Record(nil, first, sections)
	// subject:2 replaces subject:1 and is measured against the same
	// rendered subject.
	second, err := s.Select([]string{"subject:2", "summary.breathscape", "preheader"})
	if err != nil {
		t.Fatal(err)
	}
	second[0].Original = first[0].Text // as a proof of the accepted render shows it
	applied = suggest.Record(applied, second, sections)
	if len(applied) != 4 || applied[0].ID != "subject:2" || applied[0].Original != ed.Output.Email.Subject || applied[1].Section.Digest == "" {
		t.Fatalf("recorded %+v", applied)
	}

	// Nothing changed: everything applies again.
	o, kept, dropped := suggest.Reapply(applied, ed.Parsed, ed.Output)
	if len(kept) != 4 || len(dropped) != 0 || o.Subject != second[0].Text || len(o.Leads) != 2 || o.Preheader != second[2].Text {
		t.Errorf("unchanged document: overrides %+v, kept %d, dropped %+v", o, len(kept), dropped)
	}

	// The Tips section changed: its summary no longer applies.
	parsed, out := editedEdition(t)
	o, kept, dropped = suggest.Reapply(applied, parsed, out)
	if len(dropped) != 1 || dropped[0].ID != "summary.tips" || !strings.Contains(dropped[0].Reason, `section "Tips" changed`) {
		t.Errorf("dropped %+v, want summary.tips because Tips changed", dropped)
	}
	if len(kept) != 3 || o.Subject != second[0].Text || len(o.Leads) != 1 || o.Leads[0].Section != 0 {
		t.Errorf("kept %+v overrides %+v; want the subject, the preheader and the Breathscape summary", kept, o)
	}
	r, _ := render.New(render.Options{})
	again, err := r.Render(parsed, render.Edition{ID: "2026-W48", WebBaseURL: "https://halcytone.example", Accepted: o})
	if err != nil || again.Email.Subject != second[0].Text {
		t.Errorf("render with the kept suggestions: subject %q, %v", again.Email.Subject, err)
	}

	// A social draft applies while the document renders the same draft.
	x, _ := s.Find("social.x")
	applied = suggest.Record(nil, []suggest.Suggestion{x}, sections)
	if _, kept, _ := suggest.Reapply(applied, ed.Parsed, ed.Output); len(kept) != 1 {
		t.Errorf("social.x on the same document: kept %+v", kept)
	}
	changed := ed.Output
	changed.Social = append([]render.SocialDraft(nil), changed.Social...)
	for i := range changed.Social {
		changed.Social[i].Text += " (edited)"
	}
	if _, _, dropped := suggest.Reapply(applied, ed.Parsed, changed); len(dropped) != 1 || !strings.Contains(dropped[0].Reason, "x draft it replaced changed") {
		t.Errorf("social.x on a changed draft: dropped %+v", dropped)
	}
}
