package hostile

import (
	"fmt"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

func TestScratch(t *testing.T) {
	src := "# T\n\n## Tips\n\nHello <script>alert(1)</script> [x](javascript:alert(1)) ![i](data:image/png;base64,AA) {{ .Foo }} {{first_name}} {{open}} {{define \"x\"}}\n\n<img src=x onerror=alert(1)>\n\n## Vision\n\n> > > deep\n\n[ok](https://e.com/a)\n"
	doc, err := markdown.Convert([]byte(src))
	if err != nil { t.Fatal(err) }
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil { t.Fatal(err) }
	r, err := render.New(render.Options{})
	if err != nil { t.Fatal(err) }
	out, err := r.Render(p, render.Edition{ID: "2026-W48", WebBaseURL: "https://example.com"})
	if err != nil { t.Fatal(err) }
	fmt.Println(out.Email.HTML)
	fmt.Println("=====TEXT\n", out.Email.Text)
	fmt.Println("=====WEB\n", out.Web.HTML)
	fmt.Println("=====MD\n", out.Web.Markdown)
	for _, s := range out.Social { fmt.Println("=====", s.Platform, "\n", s.Text) }
	fmt.Println(doc.Warnings)
}
