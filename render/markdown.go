package render

import (
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// blocksMarkdown renders blocks as CommonMark with GitHub tables and task
// lists. Document text is escaped so it never turns into markup.
func blocksMarkdown(bs []content.Block) string {
	return strings.Join(mdBlocks(bs), "\n\n")
}

// mdBlocks renders each block as a chunk; a run of to-dos is one chunk.
func mdBlocks(bs []content.Block) []string { return joinTodos(bs, mdBlock) }

// joinTodos renders each block with one; consecutive to-dos make one
// part, a line each (one task list).
func joinTodos(bs []content.Block, one func(content.Block) string) []string {
	var out, todos []string
	flush := func() {
		if len(todos) > 0 {
			out = append(out, strings.Join(todos, "\n"))
			todos = nil
		}
	}
	for _, b := range bs {
		s := one(b)
		if b.Kind == content.KindTodo {
			todos = append(todos, s)
			continue
		}
		flush()
		if s != "" {
			out = append(out, s)
		}
	}
	flush()
	return out
}

func mdBlock(b content.Block) string {
	switch b.Kind {
	case content.KindHeading:
		level := min(max(b.Level, 3), 6)
		return strings.Repeat("#", level) + " " + oneLine(mdInlines(b.Inlines))
	case content.KindList:
		return mdList(b)
	case content.KindTodo:
		box := "- [ ] "
		if b.Checked {
			box = "- [x] "
		}
		return box + indentRest(mdParagraph(b.Inlines), "      ")
	case content.KindQuote:
		return prefixLines(blocksMarkdown(b.Children), "> ")
	case content.KindCallout:
		body := blocksMarkdown(b.Children)
		if icon := textIcon(b.Icon); icon != "" {
			// The icon is document text like any other (Notion allows
			// any string), so it is escaped like the body.
			body = mdEscape(icon) + " " + body
		}
		return prefixLines(body, "> ")
	case content.KindCode:
		fence := strings.Repeat("`", max(3, longestRun(b.Text, '`')+1))
		return fence + mdInfo(b.Language) + "\n" + strings.TrimSuffix(b.Text, "\n") + "\n" + fence
	case content.KindImage:
		return mdImage(b)
	case content.KindTable:
		return mdTable(b)
	case content.KindDivider:
		return "---"
	}
	parts := []string{mdParagraph(b.Inlines)}
	if len(b.Children) > 0 {
		parts = append(parts, blocksMarkdown(b.Children))
	}
	return strings.TrimSpace(strings.Join(parts, "\n\n"))
}

func mdInfo(lang string) string {
	if c := languageClass(lang); c != "" {
		return strings.TrimPrefix(c, "language-")
	}
	return ""
}

func mdList(b content.Block) string {
	items := make([]string, 0, len(b.Items))
	for i, it := range b.Items {
		marker := "- "
		if b.Ordered {
			marker = strconv.Itoa(i+1) + ". "
		}
		pad := strings.Repeat(" ", len(marker))
		var body strings.Builder
		body.WriteString(mdParagraph(it.Inlines))
		for _, ch := range it.Children {
			sep := "\n\n"
			if ch.Kind == content.KindList || ch.Kind == content.KindTodo {
				sep = "\n"
			}
			body.WriteString(sep + mdBlock(ch))
		}
		items = append(items, marker+indentRest(body.String(), pad))
	}
	return strings.Join(items, "\n")
}

func mdImage(b content.Block) string {
	src := imageURL(b.URL)
	caption := mdParagraph(b.Inlines)
	if src == "" {
		return strings.TrimSpace(mdEscape(imageLabel(strings.TrimSpace(b.Alt))) + " " + caption)
	}
	s := "![" + mdEscape(oneLine(b.Alt)) + "](" + mdURL(src) + ")"
	if link := linkURL(b.Link); link != "" {
		s = "[" + s + "](" + mdURL(link) + ")"
	}
	if caption != "" {
		s += "\\\n*" + caption + "*"
	}
	return s
}

func mdTable(b content.Block) string {
	cols := 0
	for _, r := range b.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return ""
	}
	row := func(cells []content.Cell) string {
		parts := make([]string, cols)
		for c := range parts {
			if c < len(cells) {
				parts[c] = oneLine(mdInlines(cells[c].Inlines))
			}
		}
		return "| " + strings.Join(parts, " | ") + " |"
	}
	// GitHub tables need a header row: a table without one shows its
	// first row there, rather than an empty row above its content.
	header, rows := row(b.Rows[0]), b.Rows[1:]
	lines := []string{header, "|" + strings.Repeat(" --- |", cols)}
	for _, r := range rows {
		lines = append(lines, row(r))
	}
	return strings.Join(lines, "\n")
}

// mdParagraph renders inlines as paragraph text that cannot start a block
// construct at the beginning of any of its lines.
func mdParagraph(ins []content.Inline) string {
	lines := strings.Split(strings.TrimSpace(mdInlines(ins)), "\n")
	for i, l := range lines {
		lines[i] = escapeLineStart(strings.TrimLeft(l, " \t"))
	}
	return strings.Join(lines, "\n")
}

// escapeLineStart escapes a list marker, ordered-list number or setext
// underline at the start of a line (other markup characters are escaped
// wherever they appear).
func escapeLineStart(l string) string {
	if l == "" {
		return l
	}
	switch l[0] {
	case '-', '+', '=':
		return `\` + l
	}
	d := 0
	for d < len(l) && l[d] >= '0' && l[d] <= '9' {
		d++
	}
	if d > 0 && d < len(l) && (l[d] == '.' || l[d] == ')') {
		return l[:d] + `\` + l[d:]
	}
	return l
}
