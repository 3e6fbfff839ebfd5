package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

// richDoc uses every kind of block the renderer writes for the web.
const richDoc = `# Rich edition

An intro with **bold**, *emphasis*, ` + "`code`" + ` and a [link](https://halcytone.example/a?b=1&c=2).

## Breathscape

### A subheading

- a list item
  1. nested ordered

Tasks:

- [x] a done task
- [ ] an open task

> A quote with a [mail link](mailto:team@halcytone.example).

> [!NOTE]
> A callout.

| Plan | Price |
|---|---|
| Free | 0 |

![A sensor](https://cdn.halcytone.example/sensor.png "The sensor")

` + "```go\nfmt.Println(\"<b>not markup</b>\")\n```" + `

---

Line one  
line two.
`

// TestSanitizeKeepsRenderedUpdates publishes what the renderer writes for
// the web and reads it back: the body is stored exactly as sent.
func TestSanitizeKeepsRenderedUpdates(t *testing.T) {
	bodies := map[string]string{}
	golden, _ := filepath.Glob("../../render/testdata/golden/*/web.html")
	for _, g := range golden {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		bodies[g] = string(b)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string][]byte{"rich": []byte(richDoc), "living": readFile(t, "../../examples/living-document.md")} {
		doc, err := markdown.Convert(src)
		if err != nil {
			t.Fatal(err)
		}
		p, err := content.Parse(doc, content.DefaultTaxonomy())
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Render(p, render.Edition{ID: "2026-W49", WebBaseURL: "https://halcytone.example"})
		if err != nil {
			t.Fatal(err)
		}
		bodies[name] = out.Web.HTML
	}
	for _, el := range []string{"<table", "<pre><code", "<aside", "<figure", "<blockquote", "todo-list", "<h3", "<hr", "<br", "<ol", "mailto:"} {
		if !strings.Contains(bodies["rich"], el) {
			t.Errorf("the rich document renders no %s, so sanitising it is not checked", el)
		}
	}
	s := newTestServer(t, openSQLite(t), nil)
	for name, body := range bodies {
		if got := s.sanitizeBody(body); tokens(got) != tokens(body) {
			t.Errorf("%s changed when sanitised:\n--- sent\n%s\n--- stored\n%s", name, tokens(body), tokens(got))
		}
	}
}

// TestSanitizeRemovesScript publishes a hostile body: what is stored, and
// served on the page and through the API, has no script, no event
// handler and no javascript: URL; the page's CSP forbids <base> and
// foreign form targets.
func TestSanitizeRemovesScript(t *testing.T) {
	base := startHTTP(t, newTestServer(t, openSQLite(t), nil))
	client := platform.New(platform.Options{BaseURL: base, APIKey: testKey})
	req := sampleRequest("hostile-body")
	req.BodyHTML = `<p onclick="steal()">Kept text</p><script>alert(1)</script>` +
		`<a href="javascript:alert(2)" onmouseover="x()">link</a><img src="https://x.example/i.png" onerror="alert(3)">` +
		`<iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name="q"></form>` +
		`<base href="https://evil.example/"><svg><script>alert(4)</script></svg><a href="JaVaScRiPt:alert(5)">y</a>` +
		`<p style="background:url(javascript:alert(6))">styled</p>`
	if _, err := client.CreateUpdate(context.Background(), "", req); err != nil {
		t.Fatal(err)
	}
	var u platform.Update
	if err := json.Unmarshal([]byte(get(t, base+platform.PathUpdates+"/hostile-body")), &u); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base + "/updates/hostile-body")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	for name, body := range map[string]string{"stored": u.BodyHTML, "page": get(t, base+"/updates/hostile-body")} {
		lower := strings.ToLower(body)
		for _, bad := range []string{"<script", "onclick", "onerror", "onmouseover", "javascript:", "<iframe", "<form", "<input", "<base", "alert("} {
			if strings.Contains(lower, bad) {
				t.Errorf("%s body keeps %q:\n%s", name, bad, body)
			}
		}
		if !strings.Contains(body, "Kept text") || !strings.Contains(body, "https://x.example/i.png") {
			t.Errorf("%s body lost the harmless content:\n%s", name, body)
		}
	}
}

// tokens lists the elements, attributes and text of an HTML fragment, one
// a line, with inline styles' spacing removed: two fragments with the same
// tokens mean the same.
func tokens(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	for z.Next() != html.ErrorToken {
		tok := z.Token()
		for i, a := range tok.Attr {
			if a.Key == "style" {
				tok.Attr[i].Val = strings.ReplaceAll(a.Val, " ", "")
			}
		}
		b.WriteString(tok.String() + "\n")
	}
	return b.String()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
