package render

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Post limits, as each platform counts (see Count).
const (
	limitX        = 280
	limitBluesky  = 300
	limitMastodon = 500
	limitLinkedIn = 3000
	// shortURL is what X (t.co) and Mastodon count for every link.
	shortURL = 23
)

// Platforms lists the social platforms drafts are written for.
func Platforms() []string { return []string{X, Bluesky, Mastodon, LinkedIn} }

// Limit returns the most a post on platform may count, or 0 for an
// unknown platform.
func Limit(platform string) int {
	switch platform {
	case X:
		return limitX
	case Bluesky:
		return limitBluesky
	case Mastodon:
		return limitMastodon
	case LinkedIn:
		return limitLinkedIn
	}
	return 0
}

// Count returns the length of text as platform counts it against Limit:
//
//   - X: the weighted length of twitter-text v3 — text NFC-normalised, a
//     character in Latin and general punctuation ranges weighs 1, others
//     (CJK, most symbols) 2, an emoji sequence 2 whatever its parts, and
//     every URL 23 however long.
//   - Bluesky: grapheme clusters; links count in full.
//   - Mastodon: grapheme clusters, with every http(s) URL counting 23
//     (what the server's length validator does).
//   - LinkedIn: UTF-16 code units, as its composer counts characters.
//
// An unknown platform counts code points.
func Count(platform, text string) int {
	switch platform {
	case X:
		return countX(text)
	case Bluesky:
		return graphemeCount(text)
	case Mastodon:
		return countWithURLs(text, false, graphemeCount)
	case LinkedIn:
		return countUTF16(text)
	}
	return utf8.RuneCountInString(text)
}

func countX(text string) int {
	return countWithURLs(norm.NFC.String(text), true, weightX)
}

// countWithURLs counts every URL in text as shortURL and the text between
// them with count.
func countWithURLs(text string, bare bool, count func(string) int) int {
	n, at := 0, 0
	for _, u := range findURLs(text, bare) {
		n += count(text[at:u[0]]) + shortURL
		at = u[1]
	}
	return n + count(text[at:])
}

// weightX is twitter-text v3's weighted length of text holding no URL.
func weightX(text string) int {
	n := 0
	for text != "" {
		g := text[:graphemeLen(text)]
		text = text[len(g):]
		if isEmojiSequence(g) {
			n += 2
			continue
		}
		for _, r := range g {
			n += weightXRune(r)
		}
	}
	return n
}

// weightXRune is 1 in the ranges twitter-text v3 weighs 100, else 2.
func weightXRune(r rune) int {
	switch {
	case r <= 0x10FF, r >= 0x2000 && r <= 0x200D, r >= 0x2010 && r <= 0x201F, r >= 0x2032 && r <= 0x2037:
		return 1
	}
	return 2
}

// isEmojiSequence reports whether a multi-character grapheme cluster is an
// emoji sequence (ZWJ family, flag, skin tone, keycap, presentation
// selector), which twitter-text weighs as one emoji.
func isEmojiSequence(g string) bool {
	r, n := utf8.DecodeRuneInString(g)
	if n == len(g) {
		return false
	}
	if isExtPict(r) || graphemeBreakProp(r) == gRI {
		return true
	}
	rest := g[n:]
	return rest == "\uFE0F\u20E3" || rest == "\u20E3"
}

func countUTF16(text string) int {
	n := 0
	for _, r := range text {
		n += utf16.RuneLen(r)
	}
	return n
}
