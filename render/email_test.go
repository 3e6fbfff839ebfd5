package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestEmailLayout(t *testing.T) {
	out, err := newRenderer(t).Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	html := out.Email.HTML
	for _, want := range []string{
		"max-width:600px",
		`<!--[if mso]><table role="presentation" width="600"`,
		`<span style="display:none;`,
		out.Email.Preheader,
		"Hi {{first_name}},",
		`<a href="{{unsubscribe_url}}"`,
		`bgcolor="#ffffff"`,
		"font-family:-apple-system",
		out.Web.URL,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("email HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "{{ ", "%7b%7b"} {
		if strings.Contains(html, bad) {
			t.Errorf("email HTML has %q", bad)
		}
	}
	// Every style is inline; the one <style> block only adds the dark
	// palette for clients that read it, through the frame's hc- classes.
	head, body, _ := strings.Cut(html, "</head>")
	if strings.Contains(body, "<style") {
		t.Error("email body has a <style> block")
	}
	if n := strings.Count(head, "<style"); n != 1 || !strings.Contains(head, "@media (prefers-color-scheme: dark)") {
		t.Errorf("email head has %d <style> blocks, want the one dark palette", n)
	}
	for _, m := range regexp.MustCompile(`class="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		for _, c := range strings.Fields(m[1]) {
			if !strings.HasPrefix(c, "hc-") {
				t.Errorf("email has class %q; the document's text is styled inline only", c)
			}
		}
	}
	if out.Email.Fallbacks["first_name"] != "there" {
		t.Errorf("fallbacks %v, want first_name: there", out.Email.Fallbacks)
	}
	if want := "Halcytone Weekly — 2026-W48"; out.Email.Subject != want {
		t.Errorf("subject %q, want %q", out.Email.Subject, want)
	}
	if n := len([]rune(out.Email.Preheader)); n == 0 || n > maxPreheader {
		t.Errorf("preheader of %d characters", n)
	}
}

func TestEmailTextWrapsAt72(t *testing.T) {
	out, err := newRenderer(t).Render(longDocument("Halcytone Weekly", "breathing", 3, 80), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(out.Email.Text, "\n") {
		if displayWidth(line) > textWidth && !strings.Contains(line, "://") {
			t.Errorf("line %d is %d columns: %q", i+1, displayWidth(line), line)
		}
	}
	for _, want := range []string{"Hi {{first_name}},", "Unsubscribe: {{unsubscribe_url}}", out.Web.URL} {
		if !strings.Contains(out.Email.Text, want) {
			t.Errorf("text email lacks %q", want)
		}
	}
}

func TestAttributeMergeTags(t *testing.T) {
	dir := templateDir(t, map[string]string{
		"email.subject.tmpl": `{{.Title}} for {{merge "attr.plan" "everyone"}}`,
	})
	r, err := New(Options{TemplateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if out.Email.Subject != "Halcytone Weekly for {{attr.plan}}" || out.Email.Fallbacks["attr.plan"] != "everyone" {
		t.Errorf("subject %q, fallbacks %v", out.Email.Subject, out.Email.Fallbacks)
	}
}

func TestWebUpdate(t *testing.T) {
	out, err := newRenderer(t).Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	w := out.Web
	if w.Slug != "2026-w48-halcytone-weekly" || w.URL != "https://halcytone.example/updates/"+w.Slug || w.Title != "Halcytone Weekly" {
		t.Errorf("slug %q, url %q, title %q", w.Slug, w.URL, w.Title)
	}
	if strings.Join(w.Tags, ",") != "breathscape" {
		t.Errorf("tags %q: the category keys of the sections for everyone, in document order", w.Tags)
	}
	if !strings.HasPrefix(w.Summary, "A calmer week") {
		t.Errorf("summary %q should come from the intro", w.Summary)
	}
	for _, s := range []string{w.HTML, w.Markdown} {
		if !strings.Contains(s, "By the numbers") || !strings.Contains(s, "12,400") {
			t.Error("web update lacks the by-the-numbers block")
		}
		if strings.Contains(s, "style=\"margin") {
			t.Error("web HTML carries email styles")
		}
	}
}

func TestSummaryAndSlug(t *testing.T) {
	long := strings.Repeat("Breathing slowly calms the nervous system. ", 20)
	p := longDocument("Café déjà vu: ½ the stress!", "x", 1, 1)
	p.Intro = fixtureParsed().Intro[:0]
	p.Sections[0].Blocks = []content.Block{para(text(long))}
	out, err := newRenderer(t).Render(p, Edition{ID: "2026-W07", WebBaseURL: "https://h.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(out.Web.Summary)); n > maxSummary || !strings.HasSuffix(out.Web.Summary, "…") {
		t.Errorf("summary of %d characters: %q", n, out.Web.Summary)
	}
	if out.Web.Slug != "2026-w07-cafe-deja-vu-1-2-the-stress" || out.Web.URL != "https://h.example/updates/"+out.Web.Slug {
		t.Errorf("slug %q, url %q", out.Web.Slug, out.Web.URL)
	}
}

func TestFormatNumber(t *testing.T) {
	tests := map[float64]string{0: "0", 7: "7", 1234: "1,234", 1234567: "1,234,567", -2500: "-2,500", 6.5: "6.5", 0.126: "0.13", 99.999: "100", 1e9: "1,000,000,000"}
	for v, want := range tests {
		if got := formatNumber(v); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestEmailLangAndDirFollowTheDocument(t *testing.T) {
	r := newRenderer(t)
	for _, tt := range []struct {
		name string
		edit func(*content.Parsed)
		want string
	}{
		{"default", func(*content.Parsed) {}, `<html lang="en" dir="ltr">`},
		{"language from the document", func(p *content.Parsed) { p.Lang = "pt-BR" }, `<html lang="pt-BR" dir="ltr">`},
		{"right-to-left text", func(p *content.Parsed) {
			p.Lang = "ar"
			p.Title = "نشرة هالسيتون"
		}, `<html lang="ar" dir="rtl">`},
		{"digits and punctuation do not decide", func(p *content.Parsed) { p.Title = "48 — שבוע" }, `dir="rtl"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fixtureParsed()
			tt.edit(&p)
			out, err := r.Render(p, fixtureEdition())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.Email.HTML, tt.want) {
				t.Errorf("email lacks %q", tt.want)
			}
		})
	}
}

// TestEmailDirectionFromSource: a direction the source set wins over the
// text's first strong letter.
func TestEmailDirectionFromSource(t *testing.T) {
	p := fixtureParsed()
	p.Dir = "rtl" // Latin text in a document set right-to-left
	out, err := newRenderer(t).Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Email.HTML, `dir="rtl"`) {
		t.Error("email does not carry the source's direction")
	}
}
