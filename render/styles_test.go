package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/templates"
)

// builtinStyles are the styles of the built-in email.styles.tmpl.
func builtinStyles(t testing.TB) emailStyles {
	t.Helper()
	srcs, err := readTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseStyles(srcs[templates.EmailStyles])
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStylesOverrideRestylesTheBody: a template folder's
// email.styles.tmpl restyles the document's own text, not only the frame
// around it, and the frame reads the same styles.
func TestStylesOverrideRestylesTheBody(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "templates", templates.EmailStyles))
	if err != nil {
		t.Fatal(err)
	}
	custom := strings.Replace(string(b), `{{define "p"}}margin:0 0 16px 0;`, `{{define "p"}}margin:0 0 16px 0;letter-spacing:0.01em;`, 1)
	custom = strings.Replace(custom, `{{define "h2"}}`, `{{define "h2"}}text-transform:uppercase;`, 1)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, templates.EmailStyles), []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{TemplateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	html := out.Email.HTML
	// Every paragraph of the body, and the greeting in the frame, wear
	// the new style.
	paragraphs := strings.Count(html, "<p ")
	restyled := strings.Count(html, `<p style="margin:0 0 16px 0;letter-spacing:0.01em;`)
	if restyled == 0 || restyled < paragraphs-3 { // the frame's header and footer lines have their own styles
		t.Errorf("%d of %d paragraphs wear the overriding style", restyled, paragraphs)
	}
	if !strings.Contains(html, `<h2 id=`) || !strings.Contains(html, `style="text-transform:uppercase;`) {
		t.Error("section headings do not wear the overriding h2 style")
	}
	if out.Web.HTML == "" || strings.Contains(out.Web.HTML, "letter-spacing:0.01em") {
		t.Error("email styles reached the web page")
	}
}

func TestStylesTemplateErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "templates", templates.EmailStyles))
	if err != nil {
		t.Fatal(err)
	}
	builtin := string(b)
	for _, tt := range []struct {
		name, text, want string
	}{
		{"element without a style", strings.Replace(builtin, `{{define "li"}}`, `{{define "list-item"}}`, 1), `no style for "li"`},
		{"quote that would end the attribute", strings.Replace(builtin, `'Segoe UI'`, `"Segoe UI"`, 1), `would end the style attribute`},
		{"template syntax", builtin + "{{define}}", templates.EmailStyles},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, templates.EmailStyles), []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{TemplateDir: dir})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, templates.EmailStyles)) && !strings.Contains(err.Error(), templates.EmailStyles) {
				t.Errorf("error does not name the file: %v", err)
			}
		})
	}
}

func TestStyleFunctionRefusesUnknownName(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "templates", templates.EmailHTML))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), `{{style "h2"}}`, `{{style "heading-two"}}`, 1)
	if err := os.WriteFile(filepath.Join(dir, templates.EmailHTML), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{TemplateDir: dir}); err == nil || !strings.Contains(err.Error(), `style "heading-two"`) {
		t.Fatalf("got %v, want an error naming the unknown style", err)
	}
}
