package mergetag_test

import (
	"html"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

// variant renders the bench edition and returns its beta+pro email, as
// the CRM receives it: full HTML and text carrying merge tags.
func variant(b *testing.B) crm.Variant {
	b.Helper()
	src, err := os.ReadFile("../../bench/testdata/edition.md")
	if err != nil {
		b.Fatal(err)
	}
	doc, err := markdown.Convert(src)
	if err != nil {
		b.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		b.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	out, err := r.Render(p, render.Edition{ID: "2026-W10", Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), WebBaseURL: "https://halcytone.example"})
	if err != nil {
		b.Fatal(err)
	}
	id := render.VariantID([]string{"beta", "pro"}, out.TargetedSegments)
	for _, v := range out.Variants {
		if v.ID == id {
			return v
		}
	}
	b.Fatalf("no variant %s among %d", id, len(out.Variants))
	return crm.Variant{}
}

// BenchmarkMerge substitutes one recipient's values into a rendered
// variant, as the CRM does for every message: HTML (escaped) and text.
func BenchmarkMerge(b *testing.B) {
	v := variant(b)
	values := crm.MergeValues(crm.Recipient{Email: "ada@example.com", Name: "Ada <Countess> Lovelace",
		UnsubscribeURL: "https://crm.example.com/unsubscribe?token=3f2a9c", Attributes: map[string]string{"city": "London", "plan": "pro"}})
	lookup := func(f string) (string, bool) { v, ok := values[f]; return v, ok }
	fallback := func(f string) (string, bool) { s, ok := v.Fallbacks[f]; return s, ok }
	if got := mergetag.Merge(v.HTML, lookup, fallback, html.EscapeString); !strings.Contains(got, "Hi Ada,") || strings.Contains(got, "{{first_name}}") {
		b.Fatal("the variant's merge tags were not substituted; the benchmark would measure a copy")
	}
	b.SetBytes(int64(len(v.HTML) + len(v.Text)))
	for b.Loop() {
		mergetag.Merge(v.HTML, lookup, fallback, html.EscapeString)
		mergetag.Merge(v.Text, lookup, fallback, nil)
	}
}
