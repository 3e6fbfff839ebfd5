// Package hostile holds what must stay true of an edition however hostile
// its document: the checks the hostile-document corpus and the fuzz tests
// of the sources and the renderer apply. Its tests run the corpus in
// testdata through conversion, parsing and rendering.
package hostile

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/render"
)

// Part is one text an edition sends or publishes.
type Part struct {
	Name string
	Text string
	// HTML parts are checked as markup; Markdown parts are rendered to
	// HTML first, raw HTML allowed, as a permissive site would.
	HTML, Markdown bool
	// Email parts carry merge tags.
	Email bool
}

// Parts lists every channel of out: each email variant's subject,
// preheader, HTML and text, the web update's HTML and Markdown, and every
// social draft.
func Parts(out render.Output) []Part {
	var ps []Part
	for _, v := range out.Variants {
		pre := "email " + v.ID + " "
		ps = append(ps,
			Part{Name: pre + "subject", Text: v.Subject, Email: true},
			Part{Name: pre + "preheader", Text: v.Preheader, Email: true},
			Part{Name: pre + "html", Text: v.HTML, HTML: true, Email: true},
			Part{Name: pre + "text", Text: v.Text, Email: true})
	}
	ps = append(ps,
		Part{Name: "web title", Text: out.Web.Title},
		Part{Name: "web summary", Text: out.Web.Summary},
		Part{Name: "web html", Text: out.Web.HTML, HTML: true},
		Part{Name: "web markdown", Text: out.Web.Markdown, Markdown: true})
	for _, s := range out.Social {
		ps = append(ps, Part{Name: "social " + s.Platform, Text: s.Text})
	}
	return ps
}

// Checker checks rendered editions. It knows which merge tags the
// templates write, so it can tell when document text became a tag.
type Checker struct {
	r    *render.Renderer
	tags map[string]map[string]int // by part kind (subject, html…), tag → count
}

// NewChecker learns the merge tags r's templates write from a plain edition.
func NewChecker(r *render.Renderer) (*Checker, error) {
	p := content.Parsed{Title: "Plain", Sections: []content.Section{{Category: "tips", Heading: "Tips",
		Blocks: []content.Block{{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: "Breathe."}}}}}}}
	out, err := r.Render(p, render.Edition{ID: "2026-W01", WebBaseURL: "https://example.com"})
	if err != nil {
		return nil, fmt.Errorf("render a plain edition: %w", err)
	}
	c := &Checker{r: r, tags: map[string]map[string]int{}}
	for _, part := range Parts(out) {
		if part.Email {
			c.tags[partKind(part.Name)] = tagCounts(part.Text)
		}
	}
	return c, nil
}

// partKind is the last word of a part name: "email beta html" → "html".
func partKind(name string) string { return name[strings.LastIndexByte(name, ' ')+1:] }

var tagPattern = regexp.MustCompile(`\{\{([A-Za-z0-9_.\-]{1,64})\}\}`)

// tagCounts counts the merge tags other than the literal-"{{" escape.
func tagCounts(s string) map[string]int {
	n := map[string]int{}
	for _, m := range tagPattern.FindAllStringSubmatch(s, -1) {
		if m[1] != mergetag.Open {
			n[m[1]]++
		}
	}
	return n
}

// Output returns every broken invariant of out, one line each; none means
// the edition is safe to send and publish.
func (c *Checker) Output(out render.Output) []string {
	var problems []string
	report := func(part, format string, args ...any) {
		problems = append(problems, part+": "+fmt.Sprintf(format, args...))
	}
	if len(out.Variants) == 0 {
		report("email", "no variant")
	}
	for _, part := range Parts(out) {
		for _, p := range textProblems(part.Text) {
			report(part.Name, "%s", p)
		}
		if part.Email {
			if got, want := tagCounts(part.Text), c.tags[partKind(part.Name)]; !maps.Equal(got, want) {
				report(part.Name, "merge tags %v, the templates write %v: document text became a tag", got, want)
			}
		}
		markup := part.Text
		if part.Markdown {
			markup = markdownHTML(part.Text)
		}
		if part.HTML || part.Markdown {
			for _, p := range markupProblems(markup) {
				report(part.Name, "%s", p)
			}
		}
	}
	problems = append(problems, fieldProblems(out)...)
	return problems
}

// textProblems finds what no channel may carry: bytes that are not UTF-8,
// and control characters, which mail servers and databases refuse (NUL) or
// terminals obey (ESC).
func textProblems(s string) []string {
	var out []string
	if !utf8.ValidString(s) {
		out = append(out, "not valid UTF-8")
	}
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		out = append(out, fmt.Sprintf("control character %q at byte %d", s[i:i+1], i))
	}
	return out
}

func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t' && r != '\r') || r == 0x7f
}

// fieldProblems checks the one-line fields: a line break in a subject is a
// header injection, and a slug is a path on the Platform.
func fieldProblems(out render.Output) []string {
	var problems []string
	for _, v := range out.Variants {
		if strings.ContainsAny(v.Subject+v.Preheader, "\r\n") {
			problems = append(problems, fmt.Sprintf("email %s: subject or preheader spans lines: %q", v.ID, v.Subject))
		}
	}
	if out.Web.Slug == "" || strings.Trim(out.Web.Slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		problems = append(problems, fmt.Sprintf("web slug %q: want lower-case letters, digits and hyphens", out.Web.Slug))
	}
	for _, s := range out.Social {
		if s.Length > s.Limit {
			problems = append(problems, fmt.Sprintf("social %s: %d characters over its limit of %d", s.Platform, s.Length, s.Limit))
		}
	}
	return problems
}

// markdownHTML renders Markdown with raw HTML passed through.
func markdownHTML(md string) string {
	var b bytes.Buffer
	gm := goldmark.New(goldmark.WithRendererOptions(gmhtml.WithUnsafe()))
	if err := gm.Convert([]byte(md), &b); err != nil {
		return "<script>markdown did not render: " + err.Error() + "</script>"
	}
	return b.String()
}

// Literal reports the parts of out in which document text s does not show
// as written: email parts merged for a recipient with no fields (as the
// CRM merges them) and unescaped, web parts unescaped. An empty result
// means s was neither evaluated nor lost.
func Literal(out render.Output, s string) []string {
	none := func(string) (string, bool) { return "", false }
	var missing []string
	for _, part := range Parts(out) {
		kind := partKind(part.Name)
		if !slices.Contains([]string{"html", "text", "markdown"}, kind) {
			continue // short parts may be cut
		}
		text := part.Text
		if part.Email {
			text = mergetag.Merge(text, none, nil, nil)
		}
		if part.HTML {
			text = htmlText(text)
		}
		if part.Markdown {
			text = markdownText(text)
		}
		if !strings.Contains(text, s) {
			missing = append(missing, part.Name)
		}
	}
	return missing
}
