// Package mergetag defines the merge-tag syntax shared by the renderer, which
// writes tags into email variants, and the CRM, which substitutes
// per-recipient values. Keeping both sides here means they cannot drift.
//
// A tag is "{{field}}" where field is letters, digits, '_', '.' or '-'
// (e.g. {{name}}, {{first_name}}, {{attr.city}}). Document text never
// produces a tag: the renderer writes every "{{" in document text as
// "{{open}}", which the CRM turns back into a literal "{{".
package mergetag

import "strings"

// Open is the reserved tag that stands for a literal "{{".
const Open = "open"

// Standard fields every recipient has.
const (
	FieldName           = "name"
	FieldFirstName      = "first_name"
	FieldEmail          = "email"
	FieldUnsubscribeURL = "unsubscribe_url"
	// AttrPrefix prefixes custom attributes: {{attr.plan}}.
	AttrPrefix = "attr."
)

// Tag returns the merge tag for field.
func Tag(field string) string { return "{{" + field + "}}" }

// Escape makes document text safe to place in a variant: every "{{" becomes
// "{{open}}", so no document text is ever read as a tag.
func Escape(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return strings.ReplaceAll(s, "{{", "{{"+Open+"}}")
}

// ValidField reports whether field is a well-formed tag name.
func ValidField(field string) bool {
	if field == "" || len(field) > 64 {
		return false
	}
	for _, r := range field {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			return false
		}
	}
	return true
}

// Merge substitutes tags in s. lookup returns a recipient's value; when it
// has none, fallback is consulted; a tag with neither is removed, never left
// raw. escape, when not nil, is applied to every substituted value (HTML
// escaping for the HTML part) but not to the literal "{{" of an Open tag.
// Text that is not a well-formed tag is copied unchanged.
func Merge(s string, lookup, fallback func(field string) (string, bool), escape func(string) string) string {
	i := strings.Index(s, "{{")
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 64)
	for i >= 0 {
		b.WriteString(s[:i])
		rest := s[i+2:]
		end := strings.Index(rest, "}}")
		if end < 0 || !ValidField(rest[:end]) {
			b.WriteString("{{")
			s = rest
			i = strings.Index(s, "{{")
			continue
		}
		field := rest[:end]
		s = rest[end+2:]
		if field == Open {
			b.WriteString("{{")
		} else {
			v, ok := lookup(field)
			if !ok && fallback != nil {
				v, ok = fallback(field)
			}
			if ok {
				if escape != nil {
					v = escape(v)
				}
				b.WriteString(v)
			}
		}
		i = strings.Index(s, "{{")
	}
	b.WriteString(s)
	return b.String()
}

// Part is a piece of a split template: literal text, or the merge slot of
// Field when Field is not empty.
type Part struct {
	Literal string
	Field   string
}

// Split cuts s at its merge slots the way Merge reads it: literal text
// (with every Open tag already turned into "{{") alternates with the
// fields to substitute. Merging the parts one by one gives Merge's result,
// so a sender can prepare the literal text once and merge only the slots.
func Split(s string) []Part {
	var parts []Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, Part{Literal: lit.String()})
			lit.Reset()
		}
	}
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		lit.WriteString(s[:i])
		rest := s[i+2:]
		end := strings.Index(rest, "}}")
		if end < 0 || !ValidField(rest[:end]) {
			lit.WriteString("{{")
			s = rest
			continue
		}
		field := rest[:end]
		s = rest[end+2:]
		if field == Open {
			lit.WriteString("{{")
			continue
		}
		flush()
		parts = append(parts, Part{Field: field})
	}
	flush()
	return parts
}
