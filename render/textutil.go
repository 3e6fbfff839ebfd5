package render

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/halcytone/contentgen/content"
)

// slugify is content.Slug cut to at most maxLen bytes at a hyphen.
func slugify(s string, maxLen int) string {
	out := content.Slug(s)
	if len(out) <= maxLen {
		return out
	}
	out = out[:maxLen]
	if i := strings.LastIndexByte(out, '-'); i > maxLen/2 {
		out = out[:i]
	}
	return strings.Trim(out, "-")
}

// uniqueSlug returns slug (or fallback when empty), suffixed "-2", "-3"…
// when seen already holds it.
func uniqueSlug(seen map[string]int, slug, fallback string) string {
	if slug == "" {
		slug = fallback
	}
	seen[slug]++
	if n := seen[slug]; n > 1 {
		return slug + "-" + strconv.Itoa(n)
	}
	return slug
}

// webSlug is the web update's stable slug: the edition then the title,
// "2026-w48-halcytone-weekly".
func webSlug(edition, title string) string {
	parts := []string{}
	for _, p := range []string{slugify(edition, 40), slugify(title, 60)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "update"
	}
	return strings.Join(parts, "-")
}

// leadText is the first thing a reader reads in blocks, as plain text: the
// first paragraph, or a list's items joined with "; ".
func leadText(bs []content.Block) string {
	for _, b := range bs {
		var t string
		switch b.Kind {
		case content.KindParagraph:
			t = content.Text(b.Inlines)
		case content.KindQuote, content.KindCallout:
			t = leadText(b.Children)
		case content.KindList:
			items := make([]string, 0, len(b.Items))
			for _, it := range b.Items {
				if s := oneLine(content.Text(it.Inlines)); s != "" {
					items = append(items, strings.TrimRight(s, ".;"))
				}
			}
			t = strings.Join(items, "; ")
		}
		if t = oneLine(t); t != "" {
			return t
		}
	}
	return ""
}

// firstSentence returns the first sentence of s that is at least 30
// characters long, or s.
func firstSentence(s string) string {
	n := 0
	for i, r := range s {
		n++
		if n < 30 {
			continue
		}
		switch r {
		case '。', '！', '？':
			return s[:i+utf8.RuneLen(r)]
		case '.', '!', '?':
			if rest := s[i+1:]; rest == "" || rest[0] == ' ' {
				return s[:i+1]
			}
		}
	}
	return s
}

// maxChars is a fits test for fitPrefix: at most n code points.
func maxChars(n int) func(string) bool {
	return func(s string) bool { return utf8.RuneCountInString(s) <= n }
}

// fitPrefix returns s when it fits, else its longest start that fits
// ending in "…", cut between words where it can and between characters
// where it must (text without spaces); "" when nothing fits.
func fitPrefix(s string, fits func(string) bool) string {
	s = strings.TrimSpace(s)
	if fits(s) {
		return s
	}
	if c := longestFit(s, wordEnds(s), fits); c != "" {
		return c
	}
	return longestFit(s, graphemeEnds(s), fits)
}

// longestFit returns the longest s[:cut]+"…" that fits, for cuts in
// ascending order. Counts grow with the cut almost always, so a binary
// search finds it; a linear walk down covers the rest.
func longestFit(s string, cuts []int, fits func(string) bool) string {
	cand := func(i int) string { return ellipsis(s[:cuts[i]]) }
	i := sort.Search(len(cuts), func(i int) bool { return !fits(cand(i)) })
	for i--; i >= 0; i-- {
		if c := cand(i); fits(c) {
			return c
		}
	}
	return ""
}

func ellipsis(s string) string {
	return strings.TrimRight(s, " \t\n,;:.-–—(") + "…"
}

// wordEnds returns the offsets where each word of s but the last ends.
func wordEnds(s string) []int {
	var ends []int
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\n' {
			if s[i-1] != ' ' && s[i-1] != '\n' {
				ends = append(ends, i)
			}
		}
	}
	return ends
}

// graphemeEnds returns the offsets after each grapheme cluster of s but
// the last.
func graphemeEnds(s string) []int {
	var ends []int
	for at := graphemeLen(s); at < len(s); at += graphemeLen(s[at:]) {
		ends = append(ends, at)
	}
	return ends
}

// hashtag makes a hashtag of a category key: "breathscape" → "#Breathscape",
// "sleep-tips" → "#SleepTips".
func hashtag(key string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(key, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r, n := utf8.DecodeRuneInString(w)
		b.WriteString(string(unicode.ToUpper(r)) + w[n:])
	}
	if b.Len() == 0 {
		return ""
	}
	return "#" + b.String()
}
