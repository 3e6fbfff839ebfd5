package hostile

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var emptyCell = regexp.MustCompile(`<td[^>]*></td>`)

// TestNotionFidelity checks how the blocks Notion has and the other
// sources lack reach each channel: a toggle opens on the web and is a
// bold line over its content in email, a nested to-do keeps its nesting,
// an image caption shows once, a code caption and audio are kept.
func TestNotionFidelity(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "notion", "fidelity.json"))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, DefaultChecker(t).r, formatNotion, data)
	if res.err != nil {
		t.Fatalf("%s: %v", res.stage, res.err)
	}
	web, email, text, md := res.out.Web.HTML, res.out.Email.HTML, res.out.Email.Text, res.out.Web.Markdown
	for _, c := range []struct{ name, got, want string }{
		{"web toggle", web, "<summary>How box breathing works</summary>"},
		{"email toggle", email, "<strong>How box breathing works</strong>"},
		{"audio link", web, `href="https://halcytone.example/audio/48.mp3"`},
		{"nested to-do", md, "- ☐ Stretch\n\n  Neck and shoulders, nested under Stretch"},
		{"code caption", md, "```shell\nbreathe --in 4 --out 6\n```\n\n*Box breathing from the command line*"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s: output lacks %q:\n%s", c.name, c.want, c.got)
		}
	}
	if strings.Contains(email, "<details") {
		t.Error("email has a <details> block, which most email clients cannot open")
	}
	if n := strings.Count(text, "The breathing sensor on a desk"); n != 1 {
		t.Errorf("email.txt shows the image caption %d times, want once:\n%s", n, text)
	}
}

// TestDocsMergedCells checks that merged Docs cells span in the HTML
// channels instead of leaving empty filler cells.
func TestDocsMergedCells(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "gdocs", "merged-cells-empty-tabs.json"))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, DefaultChecker(t).r, formatGDocs, data)
	if res.err != nil {
		t.Fatalf("%s: %v", res.stage, res.err)
	}
	for name, html := range map[string]string{"web": res.out.Web.HTML, "email": res.out.Email.HTML} {
		if !strings.Contains(html, `colspan="2"`) || !strings.Contains(html, `rowspan="2"`) {
			t.Errorf("%s HTML lacks the merged cells' spans:\n%s", name, html)
		}
		if filler := emptyCell.FindString(html); filler != "" {
			t.Errorf("%s HTML has an empty filler cell %s under a span", name, filler)
		}
	}
}

// TestPastedWordKeepsStructure checks that HTML pasted from Word keeps its
// bold text, link, list and table in the web update.
func TestPastedWordKeepsStructure(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "markdown", "pasted-word.md"))
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, DefaultChecker(t).r, formatMarkdown, data)
	if res.err != nil {
		t.Fatalf("%s: %v", res.stage, res.err)
	}
	md := res.out.Web.Markdown
	for _, want := range []string{"**Firmware 2.1**", "[release notes](https://halcytone.example/notes)", "- Longer battery life", "| Model | Battery |", "| Halo | 12 hours |"} {
		if !strings.Contains(md, want) {
			t.Errorf("web.md lacks %q:\n%s", want, md)
		}
	}
}
