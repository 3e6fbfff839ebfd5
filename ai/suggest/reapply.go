package suggest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// Applied is an accepted suggestion with what it replaced, so it can be
// applied again to a later version of the document. Original is the
// text the suggestion replaced as the document rendered it (for a
// subject, a preheader or a social draft); Section is the section a
// summary was made from, with its digest.
type Applied struct {
	Suggestion
	Section SectionText `json:"section,omitzero"`
}

// Slot names what a suggestion replaces: two suggestions with one slot
// cannot both apply.
func (s Suggestion) Slot() string {
	switch s.Kind {
	case KindSubject, KindPreheader:
		return s.Kind
	case KindSocial:
		return s.Kind + "." + s.Target
	}
	return s.ID
}

// NotApplied is an accepted suggestion that no longer fits the document,
// and why.
type NotApplied struct {
	ID     string `json:"id"`
	Text   string `json:"text"`
	Reason string `json:"reason"`
}

// Record adds accepted suggestions to applied: one replacing an earlier
// acceptance of the same slot keeps what that one replaced, so both are
// measured against the document's own text. sections are the ones the
// suggestions were made for (with their digests).
func Record(applied []Applied, accepted []Suggestion, sections []SectionText) []Applied {
	out := slices.Clone(applied)
	for _, s := range accepted {
		a := Applied{Suggestion: s}
		if s.Kind == KindSummary {
			id := strings.TrimPrefix(s.ID, KindSummary+".")
			if i := slices.IndexFunc(sections, func(x SectionText) bool { return x.ID == id }); i >= 0 {
				a.Section = sections[i]
				a.Section.Text = ""
			}
		}
		if i := slices.IndexFunc(out, func(x Applied) bool { return x.Slot() == s.Slot() }); i >= 0 {
			a.Original = out[i].Original
			out[i] = a
			continue
		}
		out = append(out, a)
	}
	return out
}

// Reapply matches accepted suggestions to a new version of the document:
// p parsed, plain its render without any suggestion. A subject,
// preheader or social draft applies again when the document still
// renders the text it replaced; a summary when its section is still there
// with the same text. It returns the overrides of those that apply, those
// suggestions, and the others with the reason.
func Reapply(applied []Applied, p content.Parsed, plain render.Output) (render.Overrides, []Applied, []NotApplied) {
	var o render.Overrides
	var kept []Applied
	var dropped []NotApplied
	sections := Sections(p)
	drop := func(a Applied, format string, args ...any) {
		dropped = append(dropped, NotApplied{ID: a.ID, Text: a.Text, Reason: fmt.Sprintf(format, args...)})
	}
	for _, a := range applied {
		switch a.Kind {
		case KindSubject:
			if plain.Email.Subject != a.Original {
				drop(a, "the subject it replaced changed (now %q)", plain.Email.Subject)
				continue
			}
			o.Subject = a.Text
		case KindPreheader:
			if plain.Email.Preheader != a.Original {
				drop(a, "the preheader it replaced changed (now %q)", plain.Email.Preheader)
				continue
			}
			o.Preheader = a.Text
		case KindSocial:
			i := slices.IndexFunc(plain.Social, func(d render.SocialDraft) bool { return d.Platform == a.Target })
			if i < 0 {
				drop(a, "the edition has no %s draft any more", a.Target)
				continue
			}
			if plain.Social[i].Text != a.Original {
				drop(a, "the %s draft it replaced changed with the document", a.Target)
				continue
			}
			if o.Social == nil {
				o.Social = map[string]string{}
			}
			o.Social[a.Target] = a.Text
		case KindSummary:
			id := strings.TrimPrefix(a.ID, KindSummary+".")
			i := slices.IndexFunc(sections, func(x SectionText) bool { return x.ID == id })
			switch {
			case i < 0:
				drop(a, "the section %q is gone from the document", a.Target)
				continue
			case a.Section.Digest == "" || sections[i].Digest != a.Section.Digest:
				drop(a, "the section %q changed, so its summary may no longer fit", sections[i].Heading)
				continue
			}
			o.Leads = append(o.Leads, render.Lead{Section: i, Text: a.Text})
		default:
			drop(a, "unknown kind %q", a.Kind)
			continue
		}
		kept = append(kept, a)
	}
	return o, kept, dropped
}

func textDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
