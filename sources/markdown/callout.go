package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/halcytone/contentgen/content"
)

// alertIcon is the emoji a callout shows for a GitHub alert type.
func alertIcon(kind string) string {
	switch strings.ToUpper(kind) {
	case "NOTE":
		return "ℹ️"
	case "TIP":
		return "💡"
	case "IMPORTANT":
		return "❗"
	case "WARNING":
		return "⚠️"
	case "CAUTION":
		return "🛑"
	}
	return ""
}

// quote is a quote block, or a callout when its first paragraph starts
// with a GitHub alert marker or an emoji (which become the icon).
func quote(children []content.Block) content.Block {
	if len(children) > 0 && children[0].Kind == content.KindParagraph {
		first := content.Text(children[0].Inlines)
		icon, n := calloutMarker(first)
		if icon != "" {
			rest := trimLeadingSpace(cutPrefix(children[0].Inlines, n))
			body := children[1:]
			if len(rest) > 0 {
				p := children[0]
				p.Inlines = rest
				body = append([]content.Block{p}, body...)
			}
			if len(body) > 0 {
				return content.Block{Kind: content.KindCallout, Icon: icon, Children: body}
			}
		}
	}
	return content.Block{Kind: content.KindQuote, Children: children}
}

// calloutMarker returns the icon a paragraph's text starts with and how
// many bytes of the text the marker takes, or "" when there is none.
func calloutMarker(s string) (icon string, n int) {
	if strings.HasPrefix(s, "[!") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0
		}
		icon = alertIcon(s[2:end])
		if icon == "" || (end+1 < len(s) && !unicode.IsSpace(rune(s[end+1]))) {
			return "", 0
		}
		return icon, end + 1
	}
	n = emojiPrefix(s)
	return s[:n], n
}

// emojiPrefix is the byte length of the emoji sequence s starts with: a
// pictograph with its variation selector, skin tone, keycap or
// zero-width-joined parts, or a flag of two regional indicators.
func emojiPrefix(s string) int {
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case isRegional(r):
		if r2, size2 := utf8.DecodeRuneInString(s[size:]); isRegional(r2) {
			return size + size2
		}
		return 0
	case !isPictograph(r):
		return 0
	}
	n := size
	for n < len(s) {
		r, size := utf8.DecodeRuneInString(s[n:])
		switch {
		case r == 0xFE0F || r == 0xFE0E || r == 0x20E3 || (r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F):
			n += size
		case r == 0x200D:
			next, size2 := utf8.DecodeRuneInString(s[n+size:])
			if !isPictograph(next) {
				return n
			}
			n += size + size2
		default:
			return n
		}
	}
	return n
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// isPictograph covers the emoji blocks editors use to mark callouts; a
// symbol such as "©" or "→" does not start a callout.
func isPictograph(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2B05 && r <= 0x2B55:
		return true
	case r >= 0x231A && r <= 0x23FF, r == 0x2139, r == 0x203C, r == 0x2049, r == 0x3030, r == 0x303D:
		return true
	}
	return false
}

// cutPrefix removes the first n bytes of text from runs.
func cutPrefix(runs []content.Inline, n int) []content.Inline {
	out := append([]content.Inline(nil), runs...)
	for len(out) > 0 && n > 0 {
		if len(out[0].Text) > n {
			out[0].Text = out[0].Text[n:]
			return out
		}
		n -= len(out[0].Text)
		out = out[1:]
	}
	return out
}

func trimLeft(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }
