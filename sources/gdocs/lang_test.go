package gdocs

import (
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// TestLanguageFromReference: the Docs API does not say a document's
// language, so the reference does ("gdocs:<id>;lang=pt-BR"), and the
// email says it; without one the email says en.
func TestLanguageFromReference(t *testing.T) {
	g := newFakeGoogle(t)
	reg := sources.Registry{sources.KindGDocs: newSource(t, g.options(t))}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]string{
		"gdocs:1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE;lang=pt-br":                                              "pt-BR",
		"gdocs:https://docs.google.com/document/d/1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE/edit?tab=t.0;lang=de": "de",
		"gdocs:1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE":                                                         "en",
	} {
		parsedRef, err := sources.ParseRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := reg.Fetch(context.Background(), parsedRef)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Source != "gdocs:1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE" {
			t.Errorf("%s: source %q, want the document without its language", ref, doc.Source)
		}
		p, err := content.Parse(doc, content.DefaultTaxonomy())
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Render(p, render.Edition{ID: "2026-W48", WebBaseURL: "https://halcytone.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.Email.HTML, `<html lang="`+want+`"`) {
			i := strings.Index(out.Email.HTML, "<html")
			t.Errorf("%s: email starts %q, want lang %q", ref, out.Email.HTML[i:min(len(out.Email.HTML), i+60)], want)
		}
	}
}
