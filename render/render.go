package render

import (
	"fmt"
	htmltemplate "html/template"
	"maps"
	"strings"
	"unicode"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/templates"
)

// Options configures a Renderer.
type Options struct {
	// TemplateDir, when set, is a folder whose files override the
	// built-in templates of the same name (see the templates package);
	// the others stay built in.
	TemplateDir string
}

// Renderer renders editions with parsed templates. It is safe for
// concurrent use.
type Renderer struct {
	subject, emailHTML, emailText *tmpl
	webHTML, webMarkdown          *tmpl
	social                        *tmpl
	styles                        emailStyles
}

// New reads and parses every template, then renders a sample edition so a
// template that cannot run fails here, naming its file and line, rather
// than on the day of an edition.
func New(o Options) (*Renderer, error) {
	srcs, err := readTemplates(o.TemplateDir)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	email := newMerger()
	r := &Renderer{}
	if r.styles, err = parseStyles(srcs[templates.EmailStyles]); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	emailHTMLFuncs := email.funcs(true)
	emailHTMLFuncs["style"] = r.style
	steps := []struct {
		dst   **tmpl
		name  string
		html  bool
		funcs map[string]any
	}{
		{&r.subject, templates.EmailSubject, false, email.funcs(false)},
		{&r.emailHTML, templates.EmailHTML, true, emailHTMLFuncs},
		{&r.emailText, templates.EmailText, false, email.funcs(false)},
		{&r.webHTML, templates.WebHTML, true, commonFuncs()},
		{&r.webMarkdown, templates.WebMarkdown, false, commonFuncs()},
		{&r.social, templates.Social, false, commonFuncs()},
	}
	for _, s := range steps {
		parse := parseText
		if s.html {
			parse = parseHTML
		}
		if *s.dst, err = parse(srcs[s.name], s.funcs); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
	}
	for _, p := range Platforms() {
		if !r.social.defines(p) {
			e := newTemplateError(r.social.src, fmt.Errorf("no template %q", p))
			e.Hint = fmt.Sprintf(`define one per platform, e.g. {{define %q}}…{{end}}`, p)
			return nil, fmt.Errorf("render: %w", e)
		}
	}
	if _, err := r.Render(sampleParsed(), sampleEdition()); err != nil {
		return nil, fmt.Errorf("render: check templates on a sample edition: %w", err)
	}
	return r, nil
}

// style is the template function that returns a style of
// email.styles.tmpl by name: style="{{style "h2"}}".
func (r *Renderer) style(name string) (htmltemplate.CSS, error) {
	s, ok := r.styles[name]
	if !ok {
		return "", fmt.Errorf("style %q: %s defines no such style", name, templates.EmailStyles)
	}
	return htmltemplate.CSS(s), nil // checked for what could end the attribute when read
}

// Render renders every channel of an edition.
func (r *Renderer) Render(p content.Parsed, ed Edition) (Output, error) {
	var vs []crm.Variant
	out, err := r.renderEach(p, ed, false, func(v crm.Variant) error {
		vs = append(vs, v)
		return nil
	})
	if err != nil {
		return Output{}, err
	}
	out.Variants, out.Email = vs, vs[0]
	return out, nil
}

// RenderEach renders like Render but hands each email variant to emit as
// soon as it is rendered, and keeps none: a large edition's variants need
// not be in memory together. The Output it returns has no Variants, and
// its Email holds only the default variant's ID, subject and preheader.
// RenderEach consumes p: it lets go of each section's blocks once they are
// rendered (they are nil afterwards), so do not use p after it.
func (r *Renderer) RenderEach(p content.Parsed, ed Edition, emit func(crm.Variant) error) (Output, error) {
	return r.renderEach(p, ed, true, emit)
}

func (r *Renderer) renderEach(p content.Parsed, ed Edition, release bool, emit func(crm.Variant) error) (Output, error) {
	fail := func(err error) (Output, error) { return Output{}, fmt.Errorf("render edition %s: %w", ed.ID, err) }
	targeted, err := targetedSegments(p)
	if err != nil {
		return fail(err)
	}
	d := prepare(p, ed, r.styles, release)
	if err := ed.Accepted.applyDocument(d); err != nil {
		return fail(err)
	}
	out := Output{TargetedSegments: targeted, EmailOnly: emailOnly(d)}
	for i, set := range segmentSets(targeted) {
		v, warning, err := r.variant(d, set)
		if err != nil {
			return fail(err)
		}
		if sub := ed.Accepted.subject(); sub != "" {
			v.Subject = sub
		}
		if i == 0 {
			out.Email = crm.Variant{ID: v.ID, Subject: v.Subject, Preheader: v.Preheader}
		}
		if warning != "" {
			out.Warnings = append(out.Warnings, warning)
		}
		if err := emit(v); err != nil {
			return Output{}, err
		}
	}
	d.dropEmail()
	if out.Web, err = r.web(d); err != nil {
		return fail(err)
	}
	if out.Social, err = r.socialDrafts(d); err != nil {
		return fail(err)
	}
	if err := ed.Accepted.applySocial(out.Social); err != nil {
		return fail(err)
	}
	return out, nil
}

// trimLine is s without surrounding white space, ending in one newline;
// a substring of s when s already ends that way, so a large render is
// not copied.
func trimLine(s string) string {
	l := strings.TrimLeftFunc(s, unicode.IsSpace)
	t := strings.TrimRightFunc(l, unicode.IsSpace)
	if len(t) < len(l) && l[len(t)] == '\n' {
		return l[:len(t)+1]
	}
	return t + "\n"
}

// variant renders the email for recipients in exactly the segments set,
// and says when Gmail will clip it.
func (r *Renderer) variant(d *document, set []string) (crm.Variant, string, error) {
	idx := sectionsFor(d.sections, set)
	v := d.view(channelEmail, idx)
	v.Variant, v.Segments = variantID(set), set
	htmlSize, textSize := d.emailSize(idx)
	m := newMerger()
	subject, err := m.runEmail(r.subject, v, 0)
	if err != nil {
		return crm.Variant{}, "", err
	}
	html, err := m.runEmail(r.emailHTML, v, htmlSize)
	if err != nil {
		return crm.Variant{}, "", err
	}
	text, err := m.runEmail(r.emailText, v, textSize)
	if err != nil {
		return crm.Variant{}, "", err
	}
	out := crm.Variant{
		ID:        v.Variant,
		Subject:   oneLine(subject),
		Preheader: v.Preheader,
		HTML:      trimLine(html),
		Text:      trimLine(text),
	}
	if len(m.fallbacks) > 0 {
		out.Fallbacks = maps.Clone(m.fallbacks)
	}
	if out.Subject == "" {
		return crm.Variant{}, "", fmt.Errorf("template %s renders an empty subject; it needs text such as {{.Title}}", r.subject.src.name)
	}
	return out, clipWarning(v, len(out.HTML)), nil
}

// web renders the public update: the sections for everyone, no merge
// tags.
func (r *Renderer) web(d *document) (WebUpdate, error) {
	v := d.view(channelWeb, d.public())
	html, err := r.webHTML.run("", v, commonFuncs())
	if err != nil {
		return WebUpdate{}, err
	}
	md, err := r.webMarkdown.run("", v, commonFuncs())
	if err != nil {
		return WebUpdate{}, err
	}
	return WebUpdate{
		Slug: d.slug, Title: d.title, Summary: d.summary, URL: d.url,
		HTML:     trimLine(html),
		Markdown: trimLine(md),
		Tags:     v.Tags,
	}, nil
}
