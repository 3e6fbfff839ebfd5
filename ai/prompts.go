package ai

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/templates"
)

// PromptView is what every prompt template receives.
type PromptView struct {
	Title   string
	Edition string
	// Subject and Preheader are the edition's current ones.
	Subject   string
	Preheader string
	// WebURL is the web update every social post links to.
	WebURL string
	// Document is the whole edition as plain text; write it with the
	// document function, which fences it.
	Document string
	// Section is the section a summary prompt is about.
	Section suggest.SectionText
	// Platforms are the networks a social prompt rewrites drafts for.
	Platforms []suggest.PlatformDraft
}

// Delimiters fence document text in prompts. Text that contains them has
// them removed, so a document cannot end its own fence.
const (
	beginDocument = "BEGIN DOCUMENT"
	endDocument   = "END DOCUMENT"
	beginQuote    = "BEGIN DRAFT"
	endQuote      = "END DRAFT"
)

func fence(begin, end, s string) string {
	for _, d := range []string{begin, end} {
		for strings.Contains(s, d) {
			s = strings.ReplaceAll(s, d, "")
		}
	}
	return begin + "\n" + strings.TrimSpace(s) + "\n" + end
}

func promptFuncs() template.FuncMap {
	return template.FuncMap{
		"document": func(s string) string { return fence(beginDocument, endDocument, s) },
		"quote":    func(s string) string { return fence(beginQuote, endQuote, s) },
	}
}

// Prompts are the parsed prompt templates.
type Prompts struct {
	byName map[string]*template.Template
}

// LoadPrompts parses the built-in prompt templates, each overridden by the
// file of the same name in dir/ai when there is one (dir is the folder
// that overrides the channel templates; "" keeps the built-in ones).
func LoadPrompts(dir string) (*Prompts, error) {
	p := &Prompts{byName: map[string]*template.Template{}}
	for _, name := range templates.AINames() {
		text, err := fs.ReadFile(templates.AIFS(), name)
		if err != nil {
			return nil, fmt.Errorf("read built-in prompt %s: %w", name, err)
		}
		file := templates.AIDir + "/" + name
		if dir != "" {
			path := filepath.Join(dir, templates.AIDir, name)
			b, err := os.ReadFile(path)
			switch {
			case err == nil:
				text, file = b, path
			case !errors.Is(err, fs.ErrNotExist):
				return nil, fmt.Errorf("read prompt template: %w", err)
			}
		}
		t, err := template.New(name).Funcs(promptFuncs()).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("prompt template %s: %w; fix it there", file, err)
		}
		for _, part := range []string{"system", "user"} {
			if t.Lookup(part) == nil {
				return nil, fmt.Errorf("prompt template %s defines no %q; define both {{define \"system\"}}…{{end}} and {{define \"user\"}}…{{end}}", file, part)
			}
		}
		p.byName[name] = t
	}
	if dir != "" {
		if err := unknownPrompts(filepath.Join(dir, templates.AIDir)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// unknownPrompts refuses a file in the override folder that overrides no
// prompt: a misspelt name would otherwise be ignored silently.
func unknownPrompts(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read prompt template folder: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tmpl") {
			continue
		}
		known := false
		for _, n := range templates.AINames() {
			known = known || n == e.Name()
		}
		if !known {
			return fmt.Errorf("prompt template %s overrides no prompt; name it after one of %s",
				filepath.Join(dir, e.Name()), strings.Join(templates.AINames(), ", "))
		}
	}
	return nil
}

// render runs the system and user parts of a prompt.
func (p *Prompts) render(name string, v PromptView) (system, user string, err error) {
	t := p.byName[name]
	var parts [2]strings.Builder
	for i, part := range []string{"system", "user"} {
		if err := t.ExecuteTemplate(&parts[i], part, v); err != nil {
			return "", "", fmt.Errorf("prompt template %s: %w", name, err)
		}
	}
	return strings.TrimSpace(parts[0].String()), strings.TrimSpace(parts[1].String()), nil
}
