package render

import (
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"

	"github.com/halcytone/contentgen/templates"
)

// source is one template's text and where it came from.
type source struct {
	name string // file name, e.g. "email.html.tmpl"
	path string // the override file, or "" for the built-in template
	text string
}

// readTemplates returns every template: the file of the same name in dir
// when there is one, else the built-in one.
func readTemplates(dir string) (map[string]source, error) {
	out := make(map[string]source, len(templates.Names()))
	for _, name := range templates.Names() {
		b, err := fs.ReadFile(templates.FS(), name)
		if err != nil {
			return nil, fmt.Errorf("read built-in template %s: %w", name, err)
		}
		out[name] = source{name: name, text: string(b)}
	}
	if dir == "" {
		return out, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read template folder: %w (set the template folder to an existing directory, or leave it empty for the built-in templates)", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".tmpl") {
			continue
		}
		if _, known := out[name]; !known {
			return nil, fmt.Errorf("template %s overrides no template; name it after one of %s",
				filepath.Join(dir, name), strings.Join(templates.Names(), ", "))
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read template: %w", err)
		}
		out[name] = source{name: name, path: path, text: string(b)}
	}
	return out, nil
}

// tmpl is a parsed template of either package, run on a fresh clone so
// every render can bind its own functions.
type tmpl struct {
	src  source
	html *htmltemplate.Template
	text *texttemplate.Template
}

func parseHTML(src source, funcs map[string]any) (*tmpl, error) {
	t, err := htmltemplate.New(src.name).Funcs(funcs).Parse(src.text)
	if err != nil {
		return nil, templateError(src, err)
	}
	return &tmpl{src: src, html: t}, nil
}

func parseText(src source, funcs map[string]any) (*tmpl, error) {
	t, err := texttemplate.New(src.name).Funcs(funcs).Parse(src.text)
	if err != nil {
		return nil, templateError(src, err)
	}
	return &tmpl{src: src, text: t}, nil
}

// defines reports whether the template defines name.
func (t *tmpl) defines(name string) bool {
	if t.html != nil {
		return t.html.Lookup(name) != nil
	}
	return t.text.Lookup(name) != nil
}

// run executes the template called name (the file itself when "") with
// funcs bound for this run.
func (t *tmpl) run(name string, data any, funcs map[string]any) (string, error) {
	return t.runSized(name, data, funcs, 0)
}

// runSized is run into a buffer of about size bytes, so a large output is
// not copied as it grows.
func (t *tmpl) runSized(name string, data any, funcs map[string]any, size int) (string, error) {
	if name == "" {
		name = t.src.name
	}
	var b strings.Builder
	b.Grow(size)
	var err error
	if t.html != nil {
		var c *htmltemplate.Template
		if c, err = t.html.Clone(); err == nil {
			err = c.Funcs(funcs).ExecuteTemplate(&b, name, data)
		}
	} else {
		var c *texttemplate.Template
		if c, err = t.text.Clone(); err == nil {
			err = c.Funcs(funcs).ExecuteTemplate(&b, name, data)
		}
	}
	if err != nil {
		return "", templateError(t.src, err)
	}
	return b.String(), nil
}

// TemplateError is a template that does not parse or run: where, what,
// and how to fix it.
type TemplateError struct {
	// File is the override file's path, or the built-in template's name.
	File    string
	BuiltIn bool
	// Line is 0 when the template package did not say.
	Line int
	Msg  string
	Hint string
}

func (e *TemplateError) Error() string {
	at := "template " + e.File
	if e.BuiltIn {
		at = "built-in " + at
	}
	if e.Line > 0 {
		at += " line " + strconv.Itoa(e.Line)
	}
	return at + ": " + e.Msg + "; " + e.Hint
}

// templateError turns a template package error into a TemplateError.
func templateError(src source, err error) error {
	return newTemplateError(src, err)
}

func newTemplateError(src source, err error) *TemplateError {
	e := &TemplateError{File: src.name, BuiltIn: src.path == "", Msg: err.Error(), Hint: "fix the template there"}
	if src.path != "" {
		e.File = src.path
	}
	re := regexp.MustCompile(`^(?:html/)?template: ?[^:]*:(\d+):(?:\d+:)?\s*(.*)$`)
	if m := re.FindStringSubmatch(e.Msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = m[2]
	}
	switch {
	case strings.Contains(e.Msg, `function "merge" not defined`), strings.Contains(e.Msg, `function "mergeAttr" not defined`):
		e.Hint = "merge tags work only in the email templates: the web update and social posts go to everyone as they are"
	case strings.Contains(e.Msg, "not defined") && strings.Contains(e.Msg, "function"):
		e.Hint = "the functions are " + strings.Join(funcNames(), ", ")
	case strings.Contains(e.Msg, "can't evaluate field"):
		e.Hint = "use a field of render.View (render.SocialView in " + templates.Social + ")"
	}
	if src.path != "" {
		e.Hint += ", or delete " + src.path + " to use the built-in " + src.name
	}
	return e
}

func funcNames() []string {
	names := []string{"merge", "mergeAttr", "mso", "style"}
	for n := range commonFuncs() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
