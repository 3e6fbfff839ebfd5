package render

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// Grapheme cluster boundaries after Unicode UAX #29 (extended grapheme
// clusters, Unicode 15.1 rules), which is how Bluesky and Mastodon count a
// post.

// gcb is a Grapheme_Cluster_Break property value.
type gcb uint8

const (
	gOther gcb = iota
	gCR
	gLF
	gControl
	gExtend
	gZWJ
	gRI
	gPrepend
	gSpacingMark
	gL
	gV
	gT
	gLV
	gLVT
)

func graphemeBreakProp(r rune) gcb {
	switch {
	case r == '\r':
		return gCR
	case r == '\n':
		return gLF
	case r == 0x200D:
		return gZWJ
	case r >= 0x1F1E6 && r <= 0x1F1FF:
		return gRI
	case r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin-tone modifiers
		return gExtend
	case r < 0x300 && r >= 0x20 && r != 0x7F && r != 0xAD && !(r >= 0x80 && r < 0xA0):
		return gOther // fast path for Latin text
	}
	if h := hangulProp(r); h != gOther {
		return h
	}
	switch {
	case isPrepend(r):
		return gPrepend
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Other_Grapheme_Extend):
		return gExtend
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp):
		return gControl
	case unicode.Is(unicode.Mc, r), r == 0x0E33, r == 0x0EB3:
		return gSpacingMark
	}
	return gOther
}

func hangulProp(r rune) gcb {
	switch {
	case r >= 0x1100 && r <= 0x115F, r >= 0xA960 && r <= 0xA97C:
		return gL
	case r >= 0x1160 && r <= 0x11A7, r >= 0xD7B0 && r <= 0xD7C6:
		return gV
	case r >= 0x11A8 && r <= 0x11FF, r >= 0xD7CB && r <= 0xD7FB:
		return gT
	case r >= 0xAC00 && r <= 0xD7A3:
		if (r-0xAC00)%28 == 0 {
			return gLV
		}
		return gLVT
	}
	return gOther
}

func isPrepend(r rune) bool {
	switch {
	case r >= 0x0600 && r <= 0x0605, r == 0x06DD, r == 0x070F, r == 0x0890, r == 0x0891,
		r == 0x08E2, r == 0x0D4E, r == 0x110BD, r == 0x110CD, r == 0x111C2, r == 0x111C3:
		return true
	}
	return false
}

// extPictRanges is Extended_Pictographic from Unicode's emoji-data.txt.
var extPictRanges = [...][2]rune{
	{0x00A9, 0x00A9}, {0x00AE, 0x00AE}, {0x203C, 0x203C}, {0x2049, 0x2049},
	{0x2122, 0x2122}, {0x2139, 0x2139}, {0x2194, 0x2199}, {0x21A9, 0x21AA},
	{0x231A, 0x231B}, {0x2328, 0x2328}, {0x2388, 0x2388}, {0x23CF, 0x23CF},
	{0x23E9, 0x23F3}, {0x23F8, 0x23FA}, {0x24C2, 0x24C2}, {0x25AA, 0x25AB},
	{0x25B6, 0x25B6}, {0x25C0, 0x25C0}, {0x25FB, 0x25FE}, {0x2600, 0x2605},
	{0x2607, 0x2612}, {0x2614, 0x2685}, {0x2690, 0x2705}, {0x2708, 0x2712},
	{0x2714, 0x2714}, {0x2716, 0x2716}, {0x271D, 0x271D}, {0x2721, 0x2721},
	{0x2728, 0x2728}, {0x2733, 0x2734}, {0x2744, 0x2744}, {0x2747, 0x2747},
	{0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755}, {0x2757, 0x2757},
	{0x2763, 0x2767}, {0x2795, 0x2797}, {0x27A1, 0x27A1}, {0x27B0, 0x27B0},
	{0x27BF, 0x27BF}, {0x2934, 0x2935}, {0x2B05, 0x2B07}, {0x2B1B, 0x2B1C},
	{0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x3030, 0x3030}, {0x303D, 0x303D},
	{0x3297, 0x3297}, {0x3299, 0x3299}, {0x1F000, 0x1F0FF}, {0x1F10D, 0x1F10F},
	{0x1F12F, 0x1F12F}, {0x1F16C, 0x1F171}, {0x1F17E, 0x1F17F}, {0x1F18E, 0x1F18E},
	{0x1F191, 0x1F19A}, {0x1F1AD, 0x1F1E5}, {0x1F201, 0x1F20F}, {0x1F21A, 0x1F21A},
	{0x1F22F, 0x1F22F}, {0x1F232, 0x1F23A}, {0x1F23C, 0x1F23F}, {0x1F249, 0x1F3FA},
	{0x1F400, 0x1F53D}, {0x1F546, 0x1F64F}, {0x1F680, 0x1F6FF}, {0x1F774, 0x1F77F},
	{0x1F7D5, 0x1F7FF}, {0x1F80C, 0x1F80F}, {0x1F848, 0x1F84F}, {0x1F85A, 0x1F85F},
	{0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8FF}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945},
	{0x1F947, 0x1FAFF}, {0x1FC00, 0x1FFFD},
}

func isExtPict(r rune) bool {
	if r < 0xA9 {
		return false
	}
	i := sort.Search(len(extPictRanges), func(i int) bool { return extPictRanges[i][1] >= r })
	return i < len(extPictRanges) && extPictRanges[i][0] <= r
}

// graphemeLen returns the length in bytes of the first grapheme cluster
// of s (0 for an empty s).
func graphemeLen(s string) int {
	if s == "" {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s)
	prev := graphemeBreakProp(r)
	pict := isExtPict(r) // inside ExtPict Extend* (GB11)
	pictZWJ := false     // just after ExtPict Extend* ZWJ
	ris := 0
	if prev == gRI {
		ris = 1
	}
	conj := conjunctStep(conjNone, r)
	for n < len(s) {
		r, w := utf8.DecodeRuneInString(s[n:])
		p := graphemeBreakProp(r)
		joined := pictZWJ && isExtPict(r) || conj == conjLinked && indicConjunct(r) == incbConsonant
		if graphemeBreak(prev, p, joined, ris) {
			break
		}
		conj = conjunctStep(conj, r)
		pictZWJ = pict && p == gZWJ
		pict = isExtPict(r) || (pict && p == gExtend)
		if p == gRI {
			ris++
		}
		prev = p
		n += w
	}
	return n
}

// graphemeBreak reports whether a cluster boundary falls between two
// characters with properties a and b. joined is GB9c or GB11 holding; ris
// counts the regional indicators in a row before b.
func graphemeBreak(a, b gcb, joined bool, ris int) bool {
	switch {
	case a == gCR && b == gLF:
		return false // GB3
	case a == gCR, a == gLF, a == gControl, b == gCR, b == gLF, b == gControl:
		return true // GB4, GB5
	case a == gL && (b == gL || b == gV || b == gLV || b == gLVT):
		return false // GB6
	case (a == gLV || a == gV) && (b == gV || b == gT):
		return false // GB7
	case (a == gLVT || a == gT) && b == gT:
		return false // GB8
	case b == gExtend, b == gZWJ, b == gSpacingMark, a == gPrepend:
		return false // GB9, GB9a, GB9b
	case joined:
		return false // GB9c, GB11
	case a == gRI && b == gRI:
		return ris%2 == 0 // GB12, GB13
	}
	return true
}

// graphemes splits s into grapheme clusters.
func graphemes(s string) []string {
	var out []string
	for s != "" {
		n := graphemeLen(s)
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// graphemeCount returns the number of grapheme clusters in s.
func graphemeCount(s string) int {
	c := 0
	for s != "" {
		s = s[graphemeLen(s):]
		c++
	}
	return c
}

// Indic_Conjunct_Break values, for GB9c: a consonant, virama (linker) and
// consonant stay one cluster ("स्त").
type incb uint8

const (
	incbNone incb = iota
	incbConsonant
	incbLinker
	incbExtend
)

// conjunct states: after a consonant (and extends), or after a consonant
// and a linker, when the next consonant joins.
type conjState uint8

const (
	conjNone conjState = iota
	conjConsonant
	conjLinked
)

func conjunctStep(st conjState, r rune) conjState {
	switch indicConjunct(r) {
	case incbConsonant:
		return conjConsonant
	case incbLinker:
		if st != conjNone {
			return conjLinked
		}
	case incbExtend:
		return st
	}
	return conjNone
}

func indicConjunct(r rune) incb {
	switch r {
	case 0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D:
		return incbLinker
	}
	if r >= 0x0900 && r <= 0x0D7F {
		// Consonants of Devanagari, Bengali, Gujarati, Oriya, Telugu and
		// Malayalam: the ka..ha run of each block plus its nukta forms.
		base := r &^ 0x7F
		off := r - base
		switch {
		case off >= 0x15 && off <= 0x39 && base != 0x0A00 && base != 0x0B80 && base != 0x0C80,
			base == 0x0900 && (off >= 0x58 && off <= 0x5F || off >= 0x78),
			base == 0x0980 && (off == 0x5C || off == 0x5D || off == 0x5F || off == 0x70 || off == 0x71),
			base == 0x0B00 && (off == 0x5C || off == 0x5D || off == 0x5F || off == 0x71),
			base == 0x0C00 && off >= 0x58 && off <= 0x5A:
			return incbConsonant
		}
	}
	if p := graphemeBreakProp(r); p == gExtend || p == gZWJ {
		return incbExtend
	}
	return incbNone
}
