package render

import (
	"fmt"
	"regexp"
	"strings"
	texttemplate "text/template"
)

// emailStyles is the inline style of each kind of element in the email,
// read from email.styles.tmpl. A nil emailStyles renders for the web: plain
// semantic tags, styled by the page.
type emailStyles map[string]string

// styledElements are the kinds of element the renderer writes into the
// email's text; email.styles.tmpl must define a style for each.
var styledElements = []string{
	"p", "h3", "h4", "ul", "nested-list", "todo-list", "li", "blockquote", "pre", "code", "a", "img",
	"caption", "figure", "table", "table-frame", "th", "td", "hr", "callout", "callout-icon", "callout-body",
}

// sharedStyle names the element whose style another element wears.
var sharedStyle = map[string]string{"h5": "h4", "h6": "h4", "ol": "ul"}

// unsafeStyle is what may not appear in a style: it would end the
// attribute or the tag the style is written into.
var unsafeStyle = regexp.MustCompile(`["<>\\]`)

// parseStyles reads the styles template: every template it defines is a
// style, by name.
func parseStyles(src source) (emailStyles, error) {
	t, err := texttemplate.New(src.name).Parse(src.text)
	if err != nil {
		return nil, templateError(src, err)
	}
	out := emailStyles{}
	for _, d := range t.Templates() {
		name := d.Name()
		if name == src.name {
			continue
		}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, name, nil); err != nil {
			return nil, templateError(src, err)
		}
		style := strings.Join(strings.Fields(b.String()), " ")
		if bad := unsafeStyle.FindString(style); bad != "" {
			return nil, newTemplateError(src, fmt.Errorf("style %q holds %q, which would end the style attribute; use single quotes in font names and no < > or \\", name, bad))
		}
		out[name] = style
	}
	for _, el := range styledElements {
		if _, ok := out[el]; !ok {
			e := newTemplateError(src, fmt.Errorf("no style for %q", el))
			e.Hint = fmt.Sprintf(`define one for each of %s; an empty one, {{define %q}}{{end}}, leaves the element unstyled`,
				strings.Join(styledElements, ", "), el)
			return nil, e
		}
	}
	return out, nil
}

// of returns the style of an element kind in the email, "" for the web.
func (s emailStyles) of(el string) string {
	if s == nil || el == "" {
		return ""
	}
	if shared, ok := sharedStyle[el]; ok {
		el = shared
	}
	return s[el]
}

var backgroundColor = regexp.MustCompile(`background-color:\s*(#[0-9a-fA-F]{3,6})`)

// bgcolor is the background colour a style sets, for the bgcolor attribute
// Outlook reads instead of CSS; "" when it sets none.
func (s emailStyles) bgcolor(el string) string {
	if m := backgroundColor.FindStringSubmatch(s.of(el)); m != nil {
		return m[1]
	}
	return ""
}
