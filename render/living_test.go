package render

import (
	"os"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/markdown"
)

// TestGoldenLivingDocument renders the example living document the way
// an edition does: Markdown source, section parsing, every channel.
func TestGoldenLivingDocument(t *testing.T) {
	src, err := os.ReadFile("../examples/living-document.md")
	if err != nil {
		t.Fatal(err)
	}
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
	if strings.Join(out.TargetedSegments, ",") != "beta" || len(out.Variants) != 2 {
		t.Errorf("targeted %q with %d variants; the document limits Hardware to beta", out.TargetedSegments, len(out.Variants))
	}
	if strings.Contains(out.Email.Text, "Firmware") || !strings.Contains(out.Variants[1].Text, "Firmware") {
		t.Error("the Hardware section belongs in the beta variant only")
	}
	for _, d := range out.Social {
		if d.Length > d.Limit || !strings.Contains(d.Text, out.Web.URL) {
			t.Errorf("%s draft: %d/%d, link present %v", d.Platform, d.Length, d.Limit, strings.Contains(d.Text, out.Web.URL))
		}
	}
	checkGolden(t, "living-document", channelFiles(t, out))
}
