package ai

import (
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/render"
)

func TestAcceptedSuggestionsChangeTheRender(t *testing.T) {
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
	if _, err := s.Select(suggest.ParseAccept("subject:1, subject:2")); err == nil || !strings.Contains(err.Error(), "one subject") {
		t.Errorf("two subjects accepted: %v", err)
	}
	if _, err := s.Select(suggest.ParseAccept("subject:9")); err == nil || !strings.Contains(err.Error(), "accept one of subject:1") {
		t.Errorf("unknown ID: %v", err)
	}
	accepted, err := s.Select(suggest.ParseAccept("Subject:2,social.x, summary.tips"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := suggest.Apply(render.Overrides{}, accepted, suggest.Sections(ed.Parsed))
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	red := render.Edition{ID: ed.ID, WebBaseURL: "https://halcytone.example", Accepted: o}
	out, err := r.Render(ed.Parsed, red)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := s.Find("subject:2")
	x, _ := s.Find("social.x")
	if out.Email.Subject != sub.Text {
		t.Errorf("subject %q, want %q", out.Email.Subject, sub.Text)
	}
	for _, d := range out.Social {
		if d.Platform == render.X && d.Text != x.Text {
			t.Errorf("x draft %q, want %q", d.Text, x.Text)
		}
	}
	tips, _ := s.Find("summary.tips")
	if o.Leads[0].Section != 2 || o.Leads[0].Text != tips.Text {
		t.Errorf("leads %+v, want the Tips section (index 2)", o.Leads)
	}
	// A later acceptance keeps earlier ones unless it replaces them.
	sub3, _ := s.Find("subject:3")
	o2, err := suggest.Apply(o, []suggest.Suggestion{sub3}, suggest.Sections(ed.Parsed))
	if err != nil || o2.Subject != sub3.Text || o2.Social["x"] != x.Text || o.Subject != sub.Text {
		t.Errorf("second acceptance: %+v, %v", o2, err)
	}
}
