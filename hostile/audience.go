package hostile

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// leakProbe is how much of a targeted section's text is looked for: its
// first 16 characters, since social drafts may keep only a few words of
// a highlight. Shorter texts ("Vision", "Read more") show up by chance
// and are not looked for.
const leakProbe = 16

// Audience returns every text of a section limited to some segments that
// shows in a part for everyone: the web update (and so the feed built
// from it) and the social drafts. Such a section belongs only to its
// segments' email variants. Texts the document also gives everyone are
// not counted.
func Audience(p content.Parsed, out render.Output) []string {
	var public strings.Builder
	collect := func(_, s string) { public.WriteString(squash(s) + "\n") }
	collect("", p.Title)
	walkBlocks(p.Intro, collect)
	for _, s := range p.Sections {
		if len(content.NormalizeSegments(s.Segments)) == 0 {
			collect("", s.Heading)
			walkBlocks(s.Blocks, collect)
		}
	}
	var parts []Part
	for _, part := range Parts(out) {
		if !part.Email {
			parts = append(parts, part)
		}
	}
	var problems []string
	for _, s := range p.Sections {
		segs := content.NormalizeSegments(s.Segments)
		if len(segs) == 0 {
			continue
		}
		check := func(_, text string) {
			needle := probe(text)
			if needle == "" || strings.Contains(public.String(), needle) {
				return
			}
			for _, part := range parts {
				if strings.Contains(partText(part), needle) {
					problems = append(problems, fmt.Sprintf("%s: shows %q of section %q, which is for %s only",
						part.Name, needle, s.Heading, strings.Join(segs, ", ")))
				}
			}
		}
		check("heading", s.Heading)
		walkBlocks(s.Blocks, check)
	}
	return problems
}

// probe is the part of text looked for, or "" when it is too short to
// tell.
func probe(text string) string {
	s := squash(text)
	if utf8.RuneCountInString(s) < leakProbe {
		return ""
	}
	return string([]rune(s)[:leakProbe])
}

// partText is a part as its readers see it, spaces collapsed.
func partText(part Part) string {
	s := part.Text
	switch {
	case part.HTML:
		s = htmlText(s)
	case part.Markdown:
		s = markdownText(s)
	}
	return squash(s)
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }
