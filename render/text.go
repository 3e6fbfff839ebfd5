package render

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"github.com/halcytone/contentgen/content"
)

// textWidth is where plain-text email wraps: short enough for every mail
// client, long enough to read.
const textWidth = 72

// blocksText renders blocks as plain text wrapped at cols columns, links
// written "text (url)".
func blocksText(bs []content.Block, cols int) string {
	parts := joinTodos(bs, func(b content.Block) string { return textBlock(b, cols) })
	return strings.Join(parts, "\n\n")
}

func textBlock(b content.Block, cols int) string {
	switch b.Kind {
	case content.KindHeading:
		t := oneLine(plainInlines(b.Inlines))
		return t + "\n" + strings.Repeat("-", min(displayWidth(t), cols))
	case content.KindList:
		return textList(b, cols)
	case content.KindTodo:
		box := "☐ "
		if b.Checked {
			box = "☑ "
		}
		return box + indentRest(wrap(plainInlines(b.Inlines), cols-2), "  ")
	case content.KindQuote:
		return prefixLines(blocksText(b.Children, cols-2), "> ")
	case content.KindCallout:
		icon := textIcon(b.Icon)
		if icon == "" {
			return prefixLines(blocksText(b.Children, cols-2), "> ")
		}
		pad := strings.Repeat(" ", displayWidth(icon)+1)
		return icon + " " + indentRest(blocksText(b.Children, cols-len(pad)), pad)
	case content.KindCode:
		return prefixLines(strings.TrimRight(b.Text, "\n"), "    ")
	case content.KindImage:
		return textImage(b, cols)
	case content.KindTable:
		return textTable(b, cols)
	case content.KindDivider:
		return strings.Repeat("-", 24)
	}
	parts := []string{wrap(plainInlines(b.Inlines), cols)}
	if len(b.Children) > 0 {
		parts = append(parts, blocksText(b.Children, cols))
	}
	return strings.TrimSpace(strings.Join(parts, "\n\n"))
}

func textList(b content.Block, cols int) string {
	items := make([]string, 0, len(b.Items))
	for i, it := range b.Items {
		marker := "- "
		if b.Ordered {
			marker = strconv.Itoa(i+1) + ". "
		}
		inner := cols - len(marker)
		body := wrap(plainInlines(it.Inlines), inner)
		if len(it.Children) > 0 {
			body += "\n" + blocksText(it.Children, inner)
		}
		items = append(items, marker+indentRest(body, strings.Repeat(" ", len(marker))))
	}
	return strings.Join(items, "\n")
}

func textImage(b content.Block, cols int) string {
	s := imageLabel(strings.TrimSpace(b.Alt))
	if src := imageURL(b.URL); src != "" {
		s += " (" + src + ")"
	}
	if link := linkURL(b.Link); link != "" {
		s += ", links to " + link
	}
	if c := plainInlines(b.Inlines); strings.TrimSpace(c) != "" && strings.Join(strings.Fields(c), " ") != strings.Join(strings.Fields(b.Alt), " ") {
		s += "\n" + c
	}
	return wrap(s, cols)
}

// wrap breaks s into lines of at most cols display columns at spaces; a
// word longer than that (a URL) gets a line of its own, unbroken. Line
// breaks in s are kept.
func wrap(s string, cols int) string {
	cols = max(cols, 20)
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(s), "\n") {
		line, w := "", 0
		for _, word := range strings.Fields(para) {
			ww := displayWidth(word)
			switch {
			case line == "":
				line, w = word, ww
			case w+1+ww <= cols:
				line, w = line+" "+word, w+1+ww
			default:
				out = append(out, line)
				line, w = word, ww
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// displayWidth is how many terminal columns s takes: wide East Asian
// characters and emoji two, combining marks none.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}
