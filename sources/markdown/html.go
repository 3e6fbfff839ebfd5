package markdown

import (
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/halcytone/contentgen/content"
)

// htmlBlock keeps the text of a raw HTML block as plain paragraphs.
// Comments are an editor's notes and are dropped without a warning.
func (c *converter) htmlBlock(n *ast.HTMLBlock) []content.Block {
	if n.HTMLBlockType == ast.HTMLBlockType2 {
		return nil
	}
	var b strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.Write(seg.Value(c.src))
	}
	if n.HasClosure() {
		b.Write(n.ClosureLine.Value(c.src))
	}
	c.warnf(n, "HTML is not passed through; its text is kept as plain text")
	var out []content.Block
	for _, para := range htmlText(b.String()) {
		var runs []content.Inline
		for i, line := range para {
			if i > 0 {
				runs = append(runs, content.Inline{Text: "\n"})
			}
			runs = append(runs, content.Inline{Text: line})
		}
		out = append(out, content.Block{Kind: content.KindParagraph, Inlines: runs})
	}
	return out
}

// htmlText is the visible text of an HTML fragment as paragraphs of lines:
// block tags separate paragraphs, <br> separates lines, script and style
// content is dropped and entities are decoded.
func htmlText(raw string) [][]string {
	const paraBreak, lineBreak = "\f", "\n"
	var b strings.Builder
	for i := 0; i < len(raw); {
		if raw[i] != '<' || i+1 == len(raw) || !isTagStart(raw[i+1]) {
			if raw[i] == '\n' || raw[i] == '\r' || raw[i] == '\f' {
				b.WriteByte(' ')
			} else {
				b.WriteByte(raw[i])
			}
			i++
			continue
		}
		if strings.HasPrefix(raw[i:], "<!--") {
			i = skipPast(raw, i, "-->")
			continue
		}
		end := tagEnd(raw, i)
		name := tagName(raw[i:end])
		i = end
		switch {
		case name == "script" || name == "style":
			i = skipPast(raw, i, "</"+name)
			i = tagEnd(raw, i)
		case name == "br":
			b.WriteString(lineBreak)
		case isBlockTag(name):
			b.WriteString(paraBreak)
		case name == "td" || name == "th":
			b.WriteByte(' ')
		}
	}
	var paras [][]string
	for _, p := range strings.Split(b.String(), paraBreak) {
		var lines []string
		for _, l := range strings.Split(p, lineBreak) {
			if l = strings.Join(strings.Fields(html.UnescapeString(l)), " "); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			paras = append(paras, lines)
		}
	}
	return paras
}

func isTagStart(c byte) bool {
	return c == '/' || c == '!' || c == '?' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// tagEnd is the index after the '>' closing the tag at i, skipping quoted
// attribute values.
func tagEnd(s string, i int) int {
	var quote byte
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1
		}
	}
	return len(s)
}

func skipPast(s string, i int, marker string) int {
	j := strings.Index(strings.ToLower(s[i:]), marker)
	if j < 0 {
		return len(s)
	}
	return i + j + len(marker)
}

// tagName is the lowercase element name of a tag such as "</Div class=x>".
func tagName(tag string) string {
	tag = strings.TrimLeft(strings.TrimPrefix(tag, "<"), "/")
	end := 0
	for end < len(tag) && (isAlnum(tag[end]) || tag[end] == '-') {
		end++
	}
	return strings.ToLower(tag[:end])
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

func isBlockTag(name string) bool {
	switch name {
	case "p", "div", "section", "article", "aside", "header", "footer", "main", "nav",
		"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
		"table", "thead", "tbody", "tr", "blockquote", "pre", "figure", "figcaption",
		"details", "summary", "hr", "center":
		return true
	}
	return false
}
