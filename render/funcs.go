package render

import (
	"fmt"
	htmltemplate "html/template"
	"maps"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// Channels a View is built for.
const (
	channelEmail = "email"
	channelWeb   = "web"
)

// commonFuncs are the functions every template may call.
func commonFuncs() map[string]any {
	return map[string]any{
		// md escapes text for Markdown.
		"md": mdEscape,
		// wrap breaks text into lines of at most cols columns.
		"wrap": func(cols int, s string) string { return wrap(s, cols) },
		// underline repeats ch as wide as s is ("Tips" → "----").
		"underline": func(ch, s string) string { return strings.Repeat(ch, displayWidth(s)) },
		"upper":     strings.ToUpper,
		"join":      strings.Join,
		"trim":      strings.TrimSpace,
	}
}

// merger hands merge tags to the email templates of one variant and
// collects the fallbacks they give (crm.Variant.Fallbacks).
type merger struct {
	fallbacks map[string]string
	used      map[string]bool // fields the running template asked for
}

func newMerger() *merger {
	return &merger{fallbacks: map[string]string{}, used: map[string]bool{}}
}

// funcs are the functions of the email templates.
func (m *merger) funcs(html bool) map[string]any {
	f := commonFuncs()
	f["merge"] = m.merge
	if html {
		f["mergeAttr"] = m.mergeAttr
		f["mso"] = mso
	}
	return f
}

// merge returns the tag for a recipient field, {{ merge "first_name" "there" }}
// → {{first_name}}, and records a non-empty fallback for recipients
// without a value.
func (m *merger) merge(field, fallback string) (string, error) {
	if !recipientField(field) {
		return "", fmt.Errorf("merge %q: no such recipient field; use %s, %s, %s, %s or %s<key>", field,
			mergetag.FieldName, mergetag.FieldFirstName, mergetag.FieldEmail, mergetag.FieldUnsubscribeURL, mergetag.AttrPrefix)
	}
	m.used[field] = true
	if fallback = strings.TrimSpace(fallback); fallback != "" {
		if prev, ok := m.fallbacks[field]; ok && prev != fallback {
			return "", fmt.Errorf("merge %q: fallback %q differs from %q given elsewhere in this email; one field has one fallback", field, fallback, prev)
		}
		m.fallbacks[field] = fallback
	}
	return mergetag.Tag(field), nil
}

// mergeAttr writes a whole attribute holding a tag, <a {{ mergeAttr "href"
// "unsubscribe_url" "" }}>: html/template would percent-encode the braces
// of a tag written inside a URL attribute.
func (m *merger) mergeAttr(attr, field, fallback string) (htmltemplate.HTMLAttr, error) {
	if !safeAttrName(attr) {
		return "", fmt.Errorf("mergeAttr %q: use a plain attribute such as href, src, title or alt", attr)
	}
	tag, err := m.merge(field, fallback)
	if err != nil {
		return "", err
	}
	return htmltemplate.HTMLAttr(attr + `="` + tag + `"`), nil
}

func recipientField(f string) bool {
	switch f {
	case mergetag.FieldName, mergetag.FieldFirstName, mergetag.FieldEmail, mergetag.FieldUnsubscribeURL:
		return true
	}
	key, ok := strings.CutPrefix(f, mergetag.AttrPrefix)
	return ok && key != "" && mergetag.ValidField(f)
}

// safeAttrName allows lower-case names, never an event handler or style.
func safeAttrName(a string) bool {
	if a == "" || strings.HasPrefix(a, "on") || a == "style" || a == "srcdoc" {
		return false
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

// mso wraps template markup in an Outlook-only conditional comment, which
// html/template would otherwise strip: {{ mso `<table width="600"><tr><td>` }}.
func mso(markup string) htmltemplate.HTML {
	return htmltemplate.HTML("<!--[if mso]>" + markup + "<![endif]-->")
}

// check verifies a template's output: every tag in it came from merge
// (document text was escaped), and every merge left its tag intact.
func (m *merger) check(out string) error {
	seen := map[string]bool{}
	mergetag.Merge(out, func(f string) (string, bool) {
		seen[f] = true
		return "", false
	}, nil, nil)
	for _, f := range slices.Sorted(maps.Keys(seen)) {
		if !m.used[f] {
			return fmt.Errorf("the output holds the tag %s that no merge call wrote; write recipient fields with merge", mergetag.Tag(f))
		}
	}
	for _, f := range slices.Sorted(maps.Keys(m.used)) {
		if !seen[f] {
			return fmt.Errorf(`merge %q: its tag was escaped where it was written (html/template encodes braces in URL attributes); write the attribute with mergeAttr, e.g. <a {{ mergeAttr "href" %q "" }}>`, f, f)
		}
	}
	return nil
}

// runEmail runs an email template for one variant, into a buffer of
// about size bytes.
func (m *merger) runEmail(t *tmpl, v *View, size int) (string, error) {
	clear(m.used)
	out, err := t.runSized("", v, m.funcs(t.html != nil), size)
	if err != nil {
		return "", err
	}
	if err := m.check(out); err != nil {
		return "", templateError(t.src, err)
	}
	return out, nil
}
