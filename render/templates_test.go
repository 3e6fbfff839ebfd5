package render

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/templates"
)

// templateDir writes files into a temporary folder.
func templateDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTemplateOverride(t *testing.T) {
	dir := templateDir(t, map[string]string{
		templates.EmailSubject: `{{merge "first_name" "there"}}, your {{.Edition}} update`,
		templates.WebMarkdown:  "# {{md .Title}}\n{{range .Sections}}- {{md .Heading}}\n{{end}}",
		"notes.txt":            "not a template",
	})
	r, err := New(Options{TemplateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if want := "{{first_name}}, your 2026-W48 update"; out.Email.Subject != want {
		t.Errorf("subject %q, want %q", out.Email.Subject, want)
	}
	if !strings.HasPrefix(out.Web.Markdown, "# Halcytone Weekly\n- Breathscape") {
		t.Errorf("overridden markdown not used:\n%s", out.Web.Markdown)
	}
	if !strings.Contains(out.Email.HTML, "<!DOCTYPE html>") || !strings.Contains(out.Web.HTML, "<article") {
		t.Error("templates not in the folder must fall back to the built-in ones")
	}
	// The subject asks for "friend", the built-in HTML body for "there":
	// one field has one fallback per email, and New says so.
	_, err = New(Options{TemplateDir: templateDir(t, map[string]string{
		templates.EmailSubject: `{{merge "first_name" "friend"}}`,
	})})
	if err == nil || !strings.Contains(err.Error(), "one field has one fallback") {
		t.Errorf("conflicting fallbacks: got %v", err)
	}
}

func TestTemplateErrors(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		body     string
		wantLine int
		want     []string
	}{
		{"parse error", templates.EmailHTML, "<p>\n{{.Title}}\n{{if .Stats}}\n<b>unclosed</b>\n", 5,
			[]string{"email.html.tmpl", "unexpected EOF", "fix the template there", "or delete"}},
		{"unknown field", templates.EmailText, "Hi\n{{.Titel}}\n", 2,
			[]string{"email.txt.tmpl", "Titel", "use a field of render.View"}},
		{"unknown function", templates.WebHTML, "<p>{{shout .Title}}</p>", 1,
			[]string{"web.html.tmpl", `function "shout" not defined`, "the functions are", "mergeAttr"}},
		{"merge outside email", templates.WebMarkdown, "hello\n{{merge \"first_name\" \"\"}}", 2,
			[]string{"web.md.tmpl", "merge tags work only in the email templates"}},
		{"unknown merge field", templates.EmailText, "{{merge \"firstname\" \"\"}}", 1,
			[]string{`merge "firstname": no such recipient field`, "first_name"}},
		{"merge inside a URL attribute", templates.EmailHTML, `<a href="{{merge "unsubscribe_url" ""}}">u</a>`, 0,
			[]string{"email.html.tmpl", "mergeAttr"}},
		{"unsafe mergeAttr", templates.EmailHTML, `<a {{mergeAttr "onclick" "email" ""}}>u</a>`, 1,
			[]string{`mergeAttr "onclick"`}},
		{"social platform missing", templates.Social, `{{define "x"}}{{.Title}}{{end}}`, 0,
			[]string{"social.tmpl", `no template "bluesky"`, `{{define "bluesky"}}`}},
		{"html context error", templates.WebHTML, `<a href="{{.WebURL}}`, 0,
			[]string{"web.html.tmpl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := templateDir(t, map[string]string{tt.file: tt.body})
			_, err := New(Options{TemplateDir: dir})
			if err == nil {
				t.Fatal("New accepted a broken template")
			}
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a *TemplateError", err)
			}
			if te.File != filepath.Join(dir, tt.file) || te.BuiltIn {
				t.Errorf("error names %q (built-in %v), want the override %s", te.File, te.BuiltIn, filepath.Join(dir, tt.file))
			}
			if tt.wantLine > 0 && te.Line != tt.wantLine {
				t.Errorf("line %d, want %d (%v)", te.Line, tt.wantLine, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestTemplateFolderProblems(t *testing.T) {
	if _, err := New(Options{TemplateDir: filepath.Join(t.TempDir(), "missing")}); err == nil || !strings.Contains(err.Error(), "existing directory") {
		t.Errorf("missing folder: %v", err)
	}
	dir := templateDir(t, map[string]string{"emial.html.tmpl": "typo"})
	if _, err := New(Options{TemplateDir: dir}); err == nil || !strings.Contains(err.Error(), "overrides no template") || !strings.Contains(err.Error(), templates.EmailHTML) {
		t.Errorf("misnamed template: %v", err)
	}
}
