package render

import (
	"golang.org/x/text/unicode/bidi"

	"github.com/halcytone/contentgen/content"
)

// direction is the direction the source set; when it set none, "rtl"
// when the document's first letter with a strong direction (title first,
// then intro and sections) is right-to-left, as dir="auto" decides in
// browsers; else "ltr".
func direction(p content.Parsed) string {
	if p.Dir != "" {
		return p.Dir
	}
	texts := []string{p.Title, content.PlainText(p.Intro)}
	for _, s := range p.Sections {
		texts = append(texts, s.Heading, content.PlainText(s.Blocks))
	}
	for _, t := range texts {
		for i := 0; i < len(t); {
			props, size := bidi.LookupString(t[i:])
			switch props.Class() {
			case bidi.R, bidi.AL:
				return "rtl"
			case bidi.L:
				return "ltr"
			}
			i += max(size, 1)
		}
	}
	return "ltr"
}
