package content

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// PlainText renders blocks as readable plain text: blocks separated by a
// blank line, lists as "- " or "1. " lines (nested ones indented), to-dos
// as "[ ] "/"[x] ", quotes prefixed "> ", tables as rows of cells joined by
// " | ", images as their alt text and code verbatim. Links keep only their
// text.
func PlainText(blocks []Block) string {
	var parts []string
	var todos []string // consecutive to-dos, one line each, joined once
	flush := func() {
		if len(todos) > 0 {
			parts = append(parts, strings.Join(todos, "\n"))
			todos = nil
		}
	}
	for _, b := range blocks {
		s := blockText(b)
		switch {
		case s == "":
		case b.Kind == KindTodo:
			todos = append(todos, s)
		default:
			flush()
			parts = append(parts, s)
		}
	}
	flush()
	return strings.Join(parts, "\n\n")
}

func blockText(b Block) string {
	switch b.Kind {
	case KindHeading, KindParagraph:
		return inlineText(b.Inlines)
	case KindList:
		return listText(b)
	case KindTodo:
		box := "[ ] "
		if b.Checked {
			box = "[x] "
		}
		return box + indentRest(joinNonEmpty(inlineText(b.Inlines), childText(b.Children)), "    ")
	case KindQuote:
		return prefixLines(PlainText(b.Children), "> ")
	case KindCallout:
		body := PlainText(b.Children)
		if icon := strings.TrimSpace(b.Icon); icon != "" && !strings.Contains(icon, "://") {
			body = icon + " " + body
		}
		return strings.TrimSpace(body)
	case KindCode:
		return strings.TrimRight(b.Text, "\n")
	case KindImage:
		if alt := collapseSpace(b.Alt); alt != "" {
			return alt
		}
		return inlineText(b.Inlines)
	case KindTable:
		rows := make([]string, 0, len(b.Rows))
		for _, row := range b.Rows {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = strings.ReplaceAll(inlineText(c.Inlines), "\n", " ")
			}
			rows = append(rows, strings.Join(cells, " | "))
		}
		return strings.Join(rows, "\n")
	case KindDivider:
		return "---"
	}
	return joinNonEmpty(inlineText(b.Inlines), strings.TrimSpace(b.Text), PlainText(b.Children))
}

func listText(b Block) string {
	lines := make([]string, 0, len(b.Items))
	for i, it := range b.Items {
		marker := "- "
		if b.Ordered {
			marker = fmt.Sprintf("%d. ", i+1)
		}
		text := joinNonEmpty(inlineText(it.Inlines), childText(it.Children))
		lines = append(lines, marker+indentRest(text, strings.Repeat(" ", len(marker))))
	}
	return strings.Join(lines, "\n")
}

// childText is the text of blocks nested in a list item, one line apart so
// a nested list stays compact.
func childText(blocks []Block) string {
	parts := make([]string, 0, len(blocks))
	for _, b := range blocks {
		if s := blockText(b); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

func inlineText(ins []Inline) string {
	return Text(canonInlines(ins))
}

func joinNonEmpty(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n")
}

func indentRest(s, pad string) string {
	return strings.ReplaceAll(s, "\n", "\n"+pad)
}

func prefixLines(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(prefix+l, " ")
	}
	return strings.Join(lines, "\n")
}

// Slug turns s into lowercase ASCII words joined by hyphens: "Tips &
// Tricks — Café" becomes "tips-tricks-cafe". Accents are dropped; other
// non-ASCII letters and symbols separate words. It returns "" when s has
// no ASCII letter or digit.
func Slug(s string) string {
	var b strings.Builder
	hyphen := false
	emit := func(c rune) {
		c = unicode.ToLower(c)
		if c >= 128 || !(unicode.IsLetter(c) || unicode.IsDigit(c)) {
			hyphen = true
			return
		}
		if hyphen && b.Len() > 0 {
			b.WriteByte('-')
		}
		hyphen = false
		b.WriteRune(c)
	}
	for _, r := range norm.NFKD.String(s) {
		switch f := foldLetter(r); {
		case unicode.Is(unicode.Mn, r):
		case f != "":
			for _, c := range f {
				emit(c)
			}
		default:
			emit(r)
		}
	}
	return b.String()
}

// foldLetter spells letters that NFKD does not decompose into ASCII.
func foldLetter(r rune) string {
	switch unicode.ToLower(r) {
	case 'ß':
		return "ss"
	case 'æ':
		return "ae"
	case 'œ':
		return "oe"
	case 'ø':
		return "o"
	case 'ł':
		return "l"
	case 'đ':
		return "d"
	case 'þ':
		return "th"
	}
	return ""
}
