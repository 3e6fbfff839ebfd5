package render_test

import (
	"os"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

// parsedFile reads and parses a Markdown edition as the workflow does.
func parsedFile(tb testing.TB, path string) content.Parsed {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := markdown.Convert(src)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkRender renders every channel of an edition: one email variant
// per combination of targeted segments, the web update and social drafts.
func BenchmarkRender(b *testing.B) {
	r, err := render.New(render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ed := render.Edition{ID: "2026-W10", Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), WebBaseURL: "https://halcytone.example",
		Stats: []render.Stat{{Label: "breathing sessions", Value: 12840}, {Label: "minutes of calm", Value: 98231}}}
	docs := []struct{ name, path string }{
		{"example", "../examples/living-document.md"},
		{"three-segments", "../bench/testdata/edition.md"},
	}
	for _, d := range docs {
		p := parsedFile(b, d.path)
		b.Run(d.name, func(b *testing.B) {
			var out render.Output
			for b.Loop() {
				if out, err = r.Render(p, ed); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(out.Variants)), "variants")
		})
	}
}
