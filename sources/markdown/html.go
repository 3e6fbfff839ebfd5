package markdown

import (
	"strings"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/halcytone/contentgen/content"
)

// maxHTMLDepth bounds the elements followed inside an HTML block; deeper
// elements keep only their text.
const maxHTMLDepth = 32

// htmlBlock converts a raw HTML block, as pasted from Word or a web page,
// into blocks: paragraphs, headings, lists, tables, quotes, code and
// images, with bold, italic, underline, strikethrough, code and links. Its
// styling is not kept, and the warning says so. Script, style and
// comments are dropped; comments alone (an editor's notes) warn nothing.
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
	nodes, err := html.ParseFragment(strings.NewReader(b.String()), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		c.warnf(n, "HTML could not be read as a document (%v); its text is kept as plain text", err)
		return paragraphOf(plainHTML(b.String()))
	}
	c.warnf(n, "HTML is not passed through: its text, links, lists and tables are kept, its styling is not")
	h := &htmlConv{c: c, at: n}
	for _, x := range nodes {
		h.node(x, content.Inline{}, 0)
	}
	return h.done()
}

// htmlConv converts HTML nodes into blocks, gathering inline content into
// the paragraph being built.
type htmlConv struct {
	c      *converter
	at     ast.Node // the HTML block, for warning lines
	inCell bool     // inside a table cell: images become links
	out    []content.Block
	w      inlineWriter
	images []content.Block // images met in the paragraph, placed after it
}

func (h *htmlConv) sub(inCell bool) *htmlConv {
	return &htmlConv{c: h.c, at: h.at, inCell: inCell, w: inlineWriter{c: h.c}}
}

// flush ends the paragraph being built.
func (h *htmlConv) flush() {
	runs := trimRuns(h.w.runs)
	if len(runs) > 0 {
		h.out = append(h.out, content.Block{Kind: content.KindParagraph, Inlines: runs})
	}
	h.out = append(h.out, h.images...)
	h.w.runs, h.images = nil, nil
}

func (h *htmlConv) add(b content.Block) {
	h.flush()
	h.out = append(h.out, b)
}

func (h *htmlConv) done() []content.Block {
	h.flush()
	return h.out
}

func (h *htmlConv) children(x *html.Node, st content.Inline, depth int) {
	for ch := x.FirstChild; ch != nil; ch = ch.NextSibling {
		h.node(ch, st, depth+1)
	}
}

// blocksOf converts x's children on their own, for a list item, quote or
// table cell.
func (h *htmlConv) blocksOf(x *html.Node, st content.Inline, depth int, inCell bool) []content.Block {
	s := h.sub(inCell || h.inCell)
	s.children(x, st, depth)
	return s.done()
}

func (h *htmlConv) node(x *html.Node, st content.Inline, depth int) {
	switch x.Type {
	case html.TextNode:
		h.w.emit(collapse(x.Data), st)
		return
	case html.ElementNode:
	default: // comments, doctypes
		return
	}
	if depth > maxHTMLDepth {
		h.w.emit(collapse(textOf(x)), st)
		return
	}
	switch x.DataAtom {
	case atom.Script, atom.Style, atom.Template, atom.Head, atom.Title, atom.Noscript, atom.Iframe, atom.Object, atom.Embed:
		return
	case atom.Br:
		h.w.emit("\n", content.Inline{})
	case atom.B, atom.Strong:
		st.Bold = true
		h.children(x, st, depth)
	case atom.I, atom.Em, atom.Cite:
		st.Italic = true
		h.children(x, st, depth)
	case atom.U, atom.Ins:
		st.Underline = true
		h.children(x, st, depth)
	case atom.S, atom.Strike, atom.Del:
		st.Strike = true
		h.children(x, st, depth)
	case atom.Code, atom.Kbd, atom.Samp, atom.Tt:
		st.Code = true
		h.children(x, st, depth)
	case atom.A:
		if href := attr(x, "href"); href != "" {
			st.Link = h.c.checkLink(h.at, href)
		}
		h.children(x, st, depth)
	case atom.Img:
		h.image(x, st)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		level := int(x.Data[1] - '0')
		for _, b := range h.blocksOf(x, content.Inline{}, depth, false) {
			if b.Kind == content.KindParagraph {
				b = content.Block{Kind: content.KindHeading, Level: level, Inlines: b.Inlines}
			}
			h.add(b)
		}
	case atom.Ul, atom.Ol:
		h.add(h.list(x, depth))
	case atom.Table:
		h.add(h.table(x, depth))
	case atom.Pre:
		h.add(content.Block{Kind: content.KindCode, Text: strings.TrimSuffix(strings.TrimPrefix(textOf(x), "\n"), "\n")})
	case atom.Blockquote:
		h.add(content.Block{Kind: content.KindQuote, Children: h.blocksOf(x, content.Inline{}, depth, false)})
	case atom.Hr:
		h.add(content.Block{Kind: content.KindDivider})
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Aside, atom.Header, atom.Footer, atom.Main, atom.Nav,
		atom.Figure, atom.Figcaption, atom.Details, atom.Summary, atom.Center, atom.Dl, atom.Dt, atom.Dd, atom.Address:
		h.flush()
		h.children(x, st, depth)
		h.flush()
	default: // span, font, Word's o:p and the like: their content only
		h.children(x, st, depth)
	}
}

func (h *htmlConv) image(x *html.Node, st content.Inline) {
	src := h.c.checkImage(h.at, attr(x, "src"))
	alt := strings.Join(strings.Fields(attr(x, "alt")), " ")
	if h.inCell {
		st.Link = src
		h.w.emit(cmpOr(alt, "image"), st)
		return
	}
	h.images = append(h.images, content.Block{Kind: content.KindImage, URL: src, Alt: alt, Link: st.Link})
}

// list converts ul or ol; an item's first paragraph is its text and the
// rest, nested lists included, its children.
func (h *htmlConv) list(x *html.Node, depth int) content.Block {
	b := content.Block{Kind: content.KindList, Ordered: x.DataAtom == atom.Ol}
	for li := x.FirstChild; li != nil; li = li.NextSibling {
		if li.Type != html.ElementNode || li.DataAtom != atom.Li {
			continue
		}
		blocks := h.blocksOf(li, content.Inline{}, depth+1, false)
		item := content.ListItem{Inlines: []content.Inline{}}
		if len(blocks) > 0 && blocks[0].Kind == content.KindParagraph {
			item.Inlines, blocks = blocks[0].Inlines, blocks[1:]
		}
		if len(blocks) > 0 {
			item.Children = blocks
		}
		b.Items = append(b.Items, item)
	}
	return b
}

// table converts a table; its first row is the header when it is made of
// th cells. A cell's blocks join as lines of text.
func (h *htmlConv) table(x *html.Node, depth int) content.Block {
	b := content.Block{Kind: content.KindTable}
	var rows []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			switch ch.DataAtom {
			case atom.Tr:
				rows = append(rows, ch)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				walk(ch)
			}
		}
	}
	walk(x)
	for i, tr := range rows {
		var cells []content.Cell
		header := true
		for td := tr.FirstChild; td != nil; td = td.NextSibling {
			if td.DataAtom != atom.Td && td.DataAtom != atom.Th {
				continue
			}
			header = header && td.DataAtom == atom.Th
			cells = append(cells, content.Cell{Inlines: cellInlines(h.blocksOf(td, content.Inline{}, depth+1, true))})
		}
		if i == 0 && header && len(cells) > 0 {
			b.HeaderRow = true
		}
		b.Rows = append(b.Rows, cells)
	}
	return b
}

// cellInlines joins a cell's blocks as lines; blocks other than
// paragraphs give their plain text.
func cellInlines(blocks []content.Block) []content.Inline {
	out := []content.Inline{}
	for i, b := range blocks {
		if i > 0 {
			out = append(out, content.Inline{Text: "\n"})
		}
		if b.Kind == content.KindParagraph || b.Kind == content.KindHeading {
			out = append(out, b.Inlines...)
			continue
		}
		out = append(out, content.Inline{Text: content.PlainText([]content.Block{b})})
	}
	return out
}

func attr(x *html.Node, key string) string {
	for _, a := range x.Attr {
		if a.Namespace == "" && a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// plainHTML is the text of HTML the parser refuses, without script or
// style content.
func plainHTML(raw string) string {
	z := html.NewTokenizer(strings.NewReader(raw))
	var b strings.Builder
	skip := false
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return collapse(b.String())
		case html.TextToken:
			if !skip {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if s := string(name); s == "script" || s == "style" {
				skip = tt == html.StartTagToken
			}
			b.WriteByte(' ')
		}
	}
}

func paragraphOf(text string) []content.Block {
	if text = strings.TrimSpace(text); text == "" {
		return nil
	}
	return []content.Block{{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: text}}}}
}

// textOf is the text of x and its descendants, without script or style.
func textOf(x *html.Node) string {
	var b strings.Builder
	stack := []*html.Node{x}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
			continue
		case n.DataAtom == atom.Script || n.DataAtom == atom.Style:
			continue
		case n.DataAtom == atom.Br:
			b.WriteByte('\n')
		}
		for ch := n.LastChild; ch != nil; ch = ch.PrevSibling {
			stack = append(stack, ch)
		}
	}
	return b.String()
}

// collapse turns runs of HTML white space into one space, as browsers do.
func collapse(s string) string {
	if s == "" {
		return s
	}
	fields := strings.Fields(s)
	out := strings.Join(fields, " ")
	if isHTMLSpace(s[0]) && out != "" {
		out = " " + out
	}
	if isHTMLSpace(s[len(s)-1]) {
		out += " "
	}
	return out
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// trimRuns trims spaces at the start and end of a paragraph and of each
// line, and drops runs left empty.
func trimRuns(runs []content.Inline) []content.Inline {
	out := make([]content.Inline, 0, len(runs))
	lineStart := true
	for _, r := range runs {
		if r.Text == "\n" {
			for len(out) > 0 && strings.TrimSpace(out[len(out)-1].Text) == "" && out[len(out)-1].Text != "\n" {
				out = out[:len(out)-1]
			}
			if len(out) > 0 {
				out[len(out)-1].Text = strings.TrimRight(out[len(out)-1].Text, " ")
				out = append(out, r)
			}
			lineStart = true
			continue
		}
		if lineStart {
			r.Text = strings.TrimLeft(r.Text, " ")
		}
		if r.Text == "" {
			continue
		}
		lineStart = false
		out = append(out, r)
	}
	for len(out) > 0 {
		last := &out[len(out)-1]
		last.Text = strings.TrimRight(last.Text, " ")
		if last.Text != "" && last.Text != "\n" {
			break
		}
		out = out[:len(out)-1]
	}
	return out
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
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
