package hostile

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// leakProbe is how much of a targeted section's text is looked for, in
// bytes: its first 16 (fewer when a character would be cut), since social
// drafts may keep only a few words of a highlight. Shorter texts
// ("Vision", "Read more") show up by chance and are not looked for.
const leakProbe = 16

// Audience returns every text of a section limited to some segments that
// shows in a part for everyone: the web update (and so the feed built
// from it) and the social drafts. Such a section belongs only to its
// segments' email variants. Texts the document also gives everyone are
// not counted. It takes time linear in the size of the document and the
// edition, so it can run on every fuzzed input.
func Audience(p content.Parsed, out render.Output) []string {
	type origin struct{ heading, segments string }
	probes := map[string]origin{}
	for _, s := range p.Sections {
		segs := content.NormalizeSegments(s.Segments)
		if len(segs) == 0 {
			continue
		}
		o := origin{s.Heading, strings.Join(segs, ", ")}
		add := func(_, text string) {
			if pr := probe(text); pr != "" {
				probes[pr] = o
			}
		}
		add("heading", s.Heading)
		walkBlocks(s.Blocks, add)
	}
	if len(probes) == 0 {
		return nil
	}
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
	for pr := range found(public.String(), probes) {
		delete(probes, pr) // the document gives this text to everyone too
	}
	var problems []string
	for _, part := range Parts(out) {
		if part.Email {
			continue
		}
		for pr := range found(partText(part), probes) {
			o := probes[pr]
			problems = append(problems, fmt.Sprintf("%s: shows %q of section %q, which is for %s only", part.Name, pr, o.heading, o.segments))
		}
	}
	slices.Sort(problems)
	return problems
}

// probe is the part of text looked for, or "" when it is too short to
// tell.
func probe(text string) string {
	s := squash(text)
	if len(s) < leakProbe {
		return ""
	}
	n := leakProbe
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	if utf8.RuneCountInString(s[:n]) < leakProbe/4 {
		return ""
	}
	return s[:n]
}

// found returns the probes that occur in text, looking each window of
// text up once per probe length.
func found[V any](text string, probes map[string]V) map[string]bool {
	lengths := map[int]bool{}
	for pr := range probes {
		lengths[len(pr)] = true
	}
	hits := map[string]bool{}
	for i := 0; i < len(text); i++ {
		for n := range lengths {
			if i+n <= len(text) {
				if _, ok := probes[text[i:i+n]]; ok {
					hits[text[i:i+n]] = true
				}
			}
		}
	}
	return hits
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
