package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/ai"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/workflows"
)

func runRender(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "render", "Render a living document locally into every channel, with no Temporal, CRM or Platform:\nfor editors iterating on the document. Without --out the channels are printed.",
		"starter render --source markdown:examples/living-document.md --out /tmp/edition")
	var l localFlags
	l.register(fs, e)
	out := fs.String("out", "", "folder to write the channels into (created if missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ed, err := l.render(ctx, e)
	if err != nil {
		return err
	}
	return writeChannels(e.Stdout, *out, workflows.Preview{Edition: ed.ID, Output: ed.Output})
}

// localFlags are the flags of the commands that render a document
// locally.
type localFlags struct {
	source, lang, edition, templates, taxonomy, webURL *string
}

func (l *localFlags) register(fs *flag.FlagSet, e *Env) {
	l.source = fs.String("source", e.get("NEWSLETTER_SOURCE", ""), "markdown:<path-or-url>, gdocs:<document-id> or notion:<page-id>")
	l.lang = fs.String("lang", e.get("NEWSLETTER_LANG", ""), langUsage)
	l.edition = fs.String("edition", edition.ForTime(time.Now()), "edition name")
	l.templates = fs.String("templates", e.get("TEMPLATE_DIR", ""), "folder of templates overriding the built-in ones")
	l.taxonomy = fs.String("taxonomy", e.get("TAXONOMY_FILE", ""), "JSON file of section categories and synonyms")
	l.webURL = fs.String("web-url", e.get("PLATFORM_PUBLIC_URL", "http://127.0.0.1:8082"), "public base URL of the web updates")
}

// render fetches, parses and renders the document, printing the parser's
// warnings.
func (l *localFlags) render(ctx context.Context, e *Env) (ai.Edition, error) {
	source, err := sourceWithLang(*l.source, *l.lang)
	if err != nil {
		return ai.Edition{}, err
	}
	ref, err := sources.ParseRef(source)
	if err != nil {
		return ai.Edition{}, err
	}
	if err := edition.Validate(*l.edition); err != nil {
		return ai.Edition{}, err
	}
	srcs, err := app.Sources(ctx, sourcesConfig(e))
	if err != nil {
		return ai.Edition{}, err
	}
	renderer, tax, err := app.Renderer(app.RenderConfig{TemplateDir: *l.templates, TaxonomyFile: *l.taxonomy})
	if err != nil {
		return ai.Edition{}, err
	}
	doc, err := srcs.Fetch(ctx, ref)
	if err != nil {
		return ai.Edition{}, err
	}
	parsed, err := content.Parse(doc, tax)
	if err != nil {
		return ai.Edition{}, fmt.Errorf("parse %s: %w", ref, err)
	}
	output, err := renderer.Render(parsed, render.Edition{ID: *l.edition, Date: edition.Date(*l.edition, time.Now().UTC()), WebBaseURL: *l.webURL})
	if err != nil {
		return ai.Edition{}, err
	}
	for _, w := range append(parsed.Warnings, output.Warnings...) {
		fmt.Fprintln(e.Stderr, "warning:", w)
	}
	for _, u := range parsed.Unknown {
		fmt.Fprintf(e.Stderr, "note: section %q matches no category; it is kept as is\n", u)
	}
	return ai.Edition{ID: *l.edition, Parsed: parsed, Output: output}, nil
}

// sourcesConfig maps the starter's environment to source options.
func sourcesConfig(e *Env) app.SourcesConfig {
	return app.SourcesFromEnv(func(k string) string { return e.get(k, "") })
}

// channelFiles lists every channel of a preview as file name and content.
func channelFiles(p workflows.Preview) [][2]string {
	o := p.Output
	files := [][2]string{
		{"email.subject.txt", o.Email.Subject + "\n"},
		{"email.html", o.Email.HTML},
		{"email.txt", o.Email.Text},
	}
	taken := map[string]bool{}
	for _, v := range o.Variants {
		if v.ID != o.Email.ID {
			name := "email." + uniqueName(taken, fileName(v.ID))
			files = append(files, [2]string{name + ".html", v.HTML}, [2]string{name + ".txt", v.Text})
		}
	}
	files = append(files, [2]string{"web.html", o.Web.HTML}, [2]string{"web.md", o.Web.Markdown})
	for _, s := range o.Social {
		files = append(files, [2]string{"social." + s.Platform + ".txt", s.Text + "\n"})
	}
	if p.Suggestions != nil {
		var b strings.Builder
		printSuggestions(&b, *p.Suggestions)
		files = append(files, [2]string{"suggestions.txt", b.String()})
	}
	return files
}

// fileName makes a variant ID, which carries segment names from the
// document, a safe file name: letters, digits, '-', '+' and '_' only, so
// no name can hold a path separator or "..".
func fileName(id string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '+', r == '_':
			return r
		}
		return '_'
	}, id)
	if name == "" {
		name = "_"
	}
	return name
}

// uniqueName returns name, or name with a number when another variant
// already took it.
func uniqueName(taken map[string]bool, name string) string {
	unique := name
	for n := 2; taken[unique]; n++ {
		unique = fmt.Sprintf("%s-%d", name, n)
	}
	taken[unique] = true
	return unique
}

// writeChannels writes every channel into dir, or prints them all to w
// when dir is empty.
func writeChannels(w io.Writer, dir string, p workflows.Preview) error {
	files := channelFiles(p)
	if dir == "" {
		for _, f := range files {
			fmt.Fprintf(w, "===== %s =====\n%s\n", f[0], f[1])
		}
		printEmailOnly(w, p.Output)
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	// Writing through a Root keeps every file inside dir, even past a
	// symlink already there.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer root.Close()
	for _, f := range files {
		if err := root.WriteFile(f[0], []byte(f[1]), 0o644); err != nil {
			return fmt.Errorf("write %s in %s: %w", f[0], dir, err)
		}
	}
	fmt.Fprintf(w, "wrote %d files to %s (subject: %s)\n", len(files), dir, p.Output.Email.Subject)
	for _, s := range p.Output.Social {
		fmt.Fprintf(w, "  social %-9s %4d/%d characters\n", s.Platform, s.Length, s.Limit)
	}
	printEmailOnly(w, p.Output)
	return nil
}

// printEmailOnly names the sections only some segments get by email; the
// web update, the feed and the social drafts leave them out.
func printEmailOnly(w io.Writer, o render.Output) {
	for _, s := range o.EmailOnly {
		fmt.Fprintf(w, "email-only section %q: for %s only (not on the web, in the feed or in social drafts)\n", s.Heading, strings.Join(s.Segments, ", "))
	}
}

func runPreview(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "preview", "Write an edition's rendered channels (email HTML and text per variant, web HTML and Markdown,\nsocial drafts) to a folder, or print them; also lists what changed since the last edition.",
		"starter preview --edition 2026-W48 --out /tmp/preview")
	var t target
	t.register(fs)
	out := fs.String("out", "", "folder to write the channels into; default print to stdout")
	summary := fs.Bool("summary", false, "print only a summary: subject, variants, sections changed, social lengths")
	storeURL := fs.String("artifact-store", e.get("ARTIFACT_STORE_URL", app.DefaultArtifactDir), "artifact store the worker writes to (ARTIFACT_STORE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id, err := t.resolve(ctx, c)
	if err != nil {
		return err
	}
	v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryPreview)
	if err != nil {
		return fmt.Errorf("preview of %s: %w", id, err)
	}
	var p workflows.Preview
	if err := v.Get(&p); err != nil {
		return fmt.Errorf("preview of %s: %w", id, err)
	}
	if p.Rendered != nil {
		// The run answered with references: read the channels from the
		// artifact store the worker writes to.
		store, err := e.artifactStore(ctx, *storeURL)
		if err != nil {
			return err
		}
		defer store.Close()
		if p.Output, err = activities.LoadOutput(ctx, store, p.Rendered.Manifest); err != nil {
			return fmt.Errorf("preview of %s: %w", id, err)
		}
	}
	if p.Output.Email.Subject == "" {
		return fmt.Errorf("%s has not rendered yet; try again in a moment ('starter status' shows its stage)", id)
	}
	if *summary {
		printSummary(e.Stdout, p)
		return nil
	}
	return writeChannels(e.Stdout, *out, p)
}

func printSummary(w io.Writer, p workflows.Preview) {
	o := p.Output
	fmt.Fprintf(w, "edition %s\nsubject   %s\npreheader %s\nweb       %s\n", p.Edition, o.Email.Subject, o.Email.Preheader, o.Web.URL)
	fmt.Fprintf(w, "variants  %d", len(o.Variants))
	if len(o.TargetedSegments) > 0 {
		fmt.Fprintf(w, " (targeted segments: %v)", o.TargetedSegments)
	}
	fmt.Fprintln(w)
	for _, ch := range p.Changes {
		fmt.Fprintf(w, "  %-7s %s\n", ch.Change, ch.Heading)
	}
	printEmailOnly(w, o)
	for _, s := range o.Social {
		fmt.Fprintf(w, "social %-9s %4d/%d\n", s.Platform, s.Length, s.Limit)
	}
	if p.Suggestions != nil {
		fmt.Fprintf(w, "suggestions (accept with --accept): %s\n", strings.Join(p.Suggestions.IDs(), ", "))
	}
	for _, warning := range o.Warnings {
		fmt.Fprintln(w, "warning:", warning)
	}
}
