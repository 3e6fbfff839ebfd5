package render

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm/mergetag"
)

func TestDocumentTextIsEscapedEverywhere(t *testing.T) {
	// Document text that tries to become markup, a script, a template
	// action or a merge tag.
	hostileTexts := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`{{ .Foo }}`,
		`{{first_name}}`,
		`{{unsubscribe_url}}`,
		`" onmouseover="x`,
	}
	r := newRenderer(t)
	for _, bad := range hostileTexts {
		t.Run(bad, func(t *testing.T) {
			p := content.Parsed{
				Title: bad,
				Intro: []content.Block{para(text(bad))},
				Sections: []content.Section{{Heading: bad, Blocks: []content.Block{
					para(content.Inline{Text: bad, Bold: true}),
					{Kind: content.KindCode, Text: bad},
					{Kind: content.KindImage, URL: "https://x.example/i.png", Alt: bad},
					{Kind: content.KindTable, Rows: [][]content.Cell{cells(bad)}},
				}}},
			}
			out, err := r.Render(p, fixtureEdition())
			if err != nil {
				t.Fatal(err)
			}
			for name, html := range map[string]string{"email": out.Email.HTML, "web": out.Web.HTML} {
				if strings.Contains(html, bad) && strings.ContainsAny(bad, `<>"`) {
					t.Errorf("%s HTML holds %q unescaped", name, bad)
				}
			}
			// In every email part, document text that looks like a tag must
			// merge back to itself, never to a recipient's value.
			lookup := func(f string) (string, bool) { return "MERGED", true }
			for name, part := range map[string]string{"subject": out.Email.Subject, "text": out.Email.Text, "html": out.Email.HTML} {
				merged := mergetag.Merge(part, lookup, nil, nil)
				if strings.HasPrefix(bad, "{{") && !strings.Contains(merged, bad) {
					t.Errorf("email %s: %q did not survive merging literally", name, bad)
				}
			}
			if strings.Contains(out.Web.HTML, "{{open}}") || strings.Contains(out.Web.Markdown, "{{open}}") {
				t.Error("the web update carries merge-tag escapes; it is not merged by anyone")
			}
		})
	}
}

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTemplateSyntaxInTextIsNotEvaluated(t *testing.T) {
	r := newRenderer(t)
	p := content.Parsed{Title: `{{ .Title }}{{ template "x" }}`, Sections: []content.Section{{Heading: "H", Blocks: []content.Block{para(text(`{{ .Foo }} {{ printf "%s" 1 }}`))}}}}
	out, err := r.Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Web.Markdown, `{{ .Foo }} {{ printf "%s" 1 }}`) {
		t.Errorf("web markdown should show the text as written:\n%s", out.Web.Markdown)
	}
	if !strings.Contains(out.Email.Text, `{{open}} .Foo }} {{open}} printf "%s" 1 }}`) {
		t.Errorf("email text should show the text with tag escapes:\n%s", out.Email.Text)
	}
	if want := `{{open}} .Title }}{{open}} template "x" }} — 2026-W48`; out.Email.Subject != want {
		t.Errorf("subject %q, want %q", out.Email.Subject, want)
	}
}

func TestLinks(t *testing.T) {
	tests := []struct {
		link, wantHref string
	}{
		{"https://example.com/a?b=1&c=2", `href="https://example.com/a?b=1&amp;c=2"`},
		{"http://example.com", `href="http://example.com"`},
		{"mailto:hi@example.com", `href="mailto:hi@example.com"`},
		{"javascript:alert(1)", ""},
		{"JavaScript:alert(1)", ""},
		{" javascript:alert(1)", ""},
		{"java\tscript:alert(1)", ""},
		{"data:text/html;base64,PHNjcmlwdD4=", ""},
		{"vbscript:msgbox", ""},
		{"/relative/path", ""},
		{"//evil.example/x", ""},
		{"https:evil", ""},
		{`https://x.example/" onclick="alert(1)`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			bs := []content.Block{para(content.Inline{Text: "click", Link: tt.link})}
			for _, styles := range []emailStyles{nil, builtinStyles(t)} {
				got := blocksHTML(bs, styles)
				if tt.wantHref == "" {
					if strings.Contains(got, "<a") || strings.Contains(got, "href") {
						t.Errorf("unsafe link kept an anchor: %s", got)
					}
					if !strings.Contains(got, "click") {
						t.Errorf("link text lost: %s", got)
					}
				} else if !strings.Contains(got, tt.wantHref) {
					t.Errorf("got %s, want %s", got, tt.wantHref)
				}
			}
			md := blocksMarkdown(bs)
			if (tt.wantHref == "") != (md == "click") {
				t.Errorf("markdown %q", md)
			}
		})
	}
}

func TestImageSources(t *testing.T) {
	tests := []struct {
		src  string
		keep bool
	}{
		{"https://x.example/a.png", true},
		{"http://x.example/a.png", true},
		{"data:image/png;base64,AAAA", false},
		{"javascript:alert(1)", false},
		{"mailto:a@b.example", false},
		{`x" onerror="alert(1)`, false},
	}
	for _, tt := range tests {
		bs := []content.Block{{Kind: content.KindImage, URL: tt.src, Alt: "alt text"}}
		for _, styles := range []emailStyles{nil, builtinStyles(t)} {
			got := blocksHTML(bs, styles)
			if strings.Contains(got, "<img") != tt.keep {
				t.Errorf("%q (email %v): got %s", tt.src, styles != nil, got)
			}
			if strings.Contains(got, "onerror") {
				t.Errorf("%q: attribute injection in %s", tt.src, got)
			}
			if !strings.Contains(got, "alt text") {
				t.Errorf("%q: alt text lost in %s", tt.src, got)
			}
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*not bold* _nor italic_", `\*not bold\* \_nor italic\_`},
		{"# not a heading", `\# not a heading`},
		{"- not a list", `\- not a list`},
		{"1. not a list", `1\. not a list`},
		{"[not](a link)", `\[not\](a link)`},
		{"<b>tag</b> & `code`", "\\<b\\>tag\\</b\\> \\& \\`code\\`"},
		{"a | b ~~c~~", `a \| b \~\~c\~\~`},
		{`back\slash`, `back\\slash`},
	}
	for _, tt := range tests {
		if got := blocksMarkdown([]content.Block{para(text(tt.in))}); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := codeSpan("a`b"); got != "``a`b``" {
		t.Errorf("code span with a backtick: %q", got)
	}
}
