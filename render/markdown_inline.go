package render

import (
	"strings"

	"github.com/halcytone/contentgen/content"
)

// mdInlines renders formatted text; a hard line break becomes a backslash
// at the end of the line.
func mdInlines(ins []content.Inline) string {
	var b strings.Builder
	for _, g := range groupInlines(ins) {
		var text strings.Builder
		for _, in := range g.runs {
			text.WriteString(mdRun(in))
		}
		if g.link == "" {
			b.WriteString(text.String())
			continue
		}
		b.WriteString("[" + text.String() + "](" + mdURL(g.link) + ")")
	}
	return b.String()
}

func mdRun(in content.Inline) string {
	if in.Code {
		return codeSpan(in.Text)
	}
	lead, mid, trail := splitSpace(in.Text)
	if mid == "" {
		return hardBreaks(in.Text)
	}
	s := hardBreaks(mdEscape(mid))
	if in.Strike {
		s = "~~" + s + "~~"
	}
	if in.Italic {
		s = "*" + s + "*"
	}
	if in.Bold {
		s = "**" + s + "**"
	}
	return hardBreaks(lead) + s + hardBreaks(trail)
}

func hardBreaks(s string) string { return strings.ReplaceAll(s, "\n", "\\\n") }

// mdEscape backslash-escapes every character that Markdown could read as
// markup ("!" only starts an image before "[", which is escaped); a
// backslash may escape any ASCII punctuation.
func mdEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeSpan wraps s in enough backticks that none inside closes it.
func codeSpan(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// mdURL makes a safe URL fit a Markdown link destination.
func mdURL(u string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20").Replace(u)
}

// oneLine joins the lines of s with spaces (for headings and table cells).
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\\\n", " ")
	return strings.Join(strings.Fields(s), " ")
}

// prefixLines puts prefix before every line of s (trimmed on empty lines).
func prefixLines(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == "" {
			lines[i] = strings.TrimRight(prefix, " ")
		} else {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// indentRest indents every line of s but the first (kept empty when empty).
func indentRest(s, pad string) string {
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// textIcon is a callout icon for text channels: emoji kept, image URLs
// dropped.
func textIcon(icon string) string {
	icon = strings.TrimSpace(icon)
	if strings.Contains(icon, "://") {
		return ""
	}
	return icon
}
