package render

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/internal/testdocs"
	"github.com/halcytone/contentgen/sources/markdown"
)

func renderMarkdown(t *testing.T, src []byte) Output {
	t.Helper()
	doc, err := markdown.Convert(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	out, err := newRenderer(t).Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGmailClipWarning(t *testing.T) {
	small := renderMarkdown(t, testdocs.Markdown(2<<10, 1))
	if len(small.Warnings) != 0 {
		t.Fatalf("a 2 KB document warns: %q", small.Warnings)
	}
	big := renderMarkdown(t, testdocs.Markdown(100<<10, 1))
	if len(big.Warnings) != len(big.Variants) {
		t.Fatalf("%d warnings for %d variants: %q", len(big.Warnings), len(big.Variants), big.Warnings)
	}
	for i, v := range big.Variants {
		if len(v.HTML) <= GmailClipBytes {
			t.Fatalf("variant %s is %d bytes; the test document should be over the clip size", v.ID, len(v.HTML))
		}
		w := big.Warnings[i]
		want := []string{"email variant " + v.ID, kb(len(v.HTML)), "Gmail clips messages over 102 KB", "largest sections: "}
		for _, s := range want {
			if !strings.Contains(w, s) {
				t.Errorf("warning %q lacks %q", w, s)
			}
		}
	}
	// The beta variant holds Hardware, the default does not.
	if !strings.Contains(big.Warnings[1], "Hardware (") || strings.Contains(big.Warnings[0], "Hardware (") {
		t.Errorf("largest sections are not the variant's own: %q", big.Warnings)
	}
}
