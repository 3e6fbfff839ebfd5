package markdown

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/internal/cleantext"
)

// Convert turns Markdown (CommonMark with GitHub's tables, strikethrough,
// task lists, footnotes and bare-URL links) into a document.
//
// Choices where Markdown and the document model differ:
//   - An image inside a paragraph becomes an image block after that
//     paragraph, so a picture an editor put in a sentence is still shown;
//     inside a table cell it becomes its alt text linked to the image.
//   - A list made only of task items without nested content becomes a
//     sequence of to-do blocks; any other list stays a list, and its task
//     items start with "☐ " or "☑ ".
//   - A quote whose first line is a GitHub alert ("[!NOTE]", "[!TIP]",
//     "[!IMPORTANT]", "[!WARNING]", "[!CAUTION]") or starts with an emoji is
//     a callout, with the alert's emoji or that emoji as its icon.
//   - Raw HTML is never passed through. An HTML block (pasted from Word or
//     a web page) is converted: its paragraphs, headings, lists, tables,
//     images, links and bold/italic text are kept, its styling is not, and
//     a warning names the line. Inline tags are dropped, their text kept,
//     with a warning. Comments, scripts and styles are dropped.
//   - A leading "---" YAML front matter block sets the title from "title:"
//     the language from "lang:" and the writing direction from "dir:" (ltr or
//     rtl); other keys are ignored, and YAML errors reported, with their line.
//   - Footnotes become "[1]" where they are referenced and a numbered
//     paragraph each after a divider at the end.
//   - Math ("$…$", "$$…$$") is kept as its TeX in code style, with a
//     warning: email clients cannot typeset it.
//   - CRLF and CR-only line endings read as LF.
//
// Invalid UTF-8 is replaced with U+FFFD and other control characters than
// line feed and tab are removed, each reported as a warning. Only content
// that is not text at all (NUL bytes), or nests lists and quotes hundreds
// deep, fails, wrapping sources.ErrInvalid; lists and quotes nested more
// than 32 deep are left out with a warning.
func Convert(src []byte) (content.Document, error) {
	return convert(src, chunkBytes)
}

// convert is Convert parsing pieces of about chunk bytes at a time.
func convert(src []byte, chunk int) (content.Document, error) {
	if bytes.IndexByte(src, 0) >= 0 {
		return content.Document{}, fmt.Errorf("convert markdown: %w: the content has NUL bytes, so it is a binary file, not Markdown; check the path or URL", sources.ErrInvalid)
	}
	if err := checkNesting(src); err != nil {
		return content.Document{}, err
	}
	var warnings []string
	if !utf8.Valid(src) {
		src = bytes.ToValidUTF8(src, []byte("\uFFFD"))
		warnings = append(warnings, "the file is not valid UTF-8: unreadable bytes were replaced with \uFFFD; save it as UTF-8")
	}
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	src = normalizeLineEndings(src)
	fm := readFrontMatter(src)
	warnings = append(warnings, fm.warnings...)

	body := src[fm.size:]
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithInlineParsers(util.Prioritized(mathParser{}, 500))),
	)
	c := &converter{lineBase: bytes.Count(src[:fm.size], []byte("\n")), htmlTags: map[int][]string{}}
	var blocks []content.Block
	starts := chunks(body, chunk)
	for i, start := range starts {
		end := len(body)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		c.src, c.newlines = body[start:end], nil
		blocks = append(blocks, c.blocks(md.Parser().Parse(text.NewReader(c.src)))...)
		c.lineBase += bytes.Count(c.src, []byte("\n"))
	}
	warnings = append(warnings, c.warnings...)
	warnings = append(warnings, c.htmlWarnings()...)
	doc := content.Document{Title: fm.title, Lang: fm.lang, Dir: fm.dir, Blocks: blocks, Warnings: warnings}
	cleantext.Document(&doc)
	return doc, nil
}

// converter walks a goldmark AST into content blocks, collecting warnings.
type converter struct {
	src      []byte
	lineBase int // lines of front matter cut before src
	warnings []string
	htmlTags map[int][]string // inline HTML tags by line, reported together
	depth    int              // lists and quotes around the block being converted
	deepCut  bool             // whether blocks nested too deep were left out
	newlines []int            // offsets of src's line feeds, once a line is asked for
}

func (c *converter) warnf(n ast.Node, format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf("line %d: ", c.line(n))+fmt.Sprintf(format, args...))
}

// line is the 1-based source line where n starts (0 when unknown).
func (c *converter) line(n ast.Node) int {
	off := c.offset(n)
	if off < 0 {
		return 0
	}
	// Indexed once: counting line feeds for each warning would take time
	// growing with the square of the size of a document full of them.
	if c.newlines == nil {
		c.newlines = make([]int, 0, bytes.Count(c.src, []byte("\n")))
		for i, b := range c.src {
			if b == '\n' {
				c.newlines = append(c.newlines, i)
			}
		}
	}
	before, _ := slices.BinarySearch(c.newlines, off)
	return c.lineBase + before + 1
}

func (c *converter) offset(n ast.Node) int {
	switch n := n.(type) {
	case *ast.Text:
		return n.Segment.Start
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			return n.Segments.At(0).Start
		}
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		if off := c.offset(ch); off >= 0 {
			return off
		}
	}
	return -1
}

func (c *converter) blocks(parent ast.Node) []content.Block {
	var out []content.Block
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		out = append(out, c.block(n)...)
	}
	return out
}

func (c *converter) block(n ast.Node) []content.Block {
	switch n := n.(type) {
	case *ast.Heading:
		in := c.inlines(n, false)
		return append([]content.Block{{Kind: content.KindHeading, Level: n.Level, Inlines: in.runs}}, in.images...)
	case *ast.Paragraph, *ast.TextBlock:
		if tex, ok := c.mathBlock(n); ok {
			c.warnf(n, "math is shown as its TeX source, since email clients cannot typeset it; write it out in words if readers need it")
			return []content.Block{{Kind: content.KindCode, Language: "math", Text: tex}}
		}
		return c.paragraph(n)
	case *ast.List:
		return c.nested(n, func() []content.Block { return c.list(n) })
	case *ast.Blockquote:
		return c.nested(n, func() []content.Block { return []content.Block{quote(c.blocks(n))} })
	case *ast.FencedCodeBlock:
		return []content.Block{{Kind: content.KindCode, Language: string(n.Language(c.src)), Text: c.lines(n)}}
	case *ast.CodeBlock:
		return []content.Block{{Kind: content.KindCode, Text: c.lines(n)}}
	case *ast.ThematicBreak:
		return []content.Block{{Kind: content.KindDivider}}
	case *extast.Table:
		return []content.Block{c.table(n)}
	case *ast.HTMLBlock:
		return c.htmlBlock(n)
	case *ast.LinkReferenceDefinition:
		return nil // used by the links that refer to it
	case *extast.FootnoteList:
		return c.footnotes(n)
	}
	c.warnf(n, "%s is not supported and was left out", n.Kind())
	return nil
}

// paragraph is the paragraph's text followed by its images; a paragraph of
// only images is just the images.
func (c *converter) paragraph(n ast.Node) []content.Block {
	in := c.inlines(n, false)
	if strings.TrimSpace(content.Text(in.runs)) == "" {
		return in.images
	}
	return append([]content.Block{{Kind: content.KindParagraph, Inlines: in.runs}}, in.images...)
}

// footnotes become a divider and one paragraph per note, "[1] The note.",
// matching the "[1]" left where each note is referenced.
func (c *converter) footnotes(list *extast.FootnoteList) []content.Block {
	out := []content.Block{{Kind: content.KindDivider}}
	for n := list.FirstChild(); n != nil; n = n.NextSibling() {
		fn, ok := n.(*extast.Footnote)
		if !ok {
			continue
		}
		mark := content.Inline{Text: fmt.Sprintf("[%d] ", fn.Index)}
		blocks := c.blocks(fn)
		if len(blocks) > 0 && blocks[0].Kind == content.KindParagraph {
			blocks[0].Inlines = append([]content.Inline{mark}, blocks[0].Inlines...)
		} else {
			blocks = append([]content.Block{{Kind: content.KindParagraph, Inlines: []content.Inline{mark}}}, blocks...)
		}
		out = append(out, blocks...)
	}
	return out
}

// normalizeLineEndings turns CRLF and lone CR line endings into LF, so code
// keeps no stray carriage returns and old Mac files keep their paragraphs.
func normalizeLineEndings(src []byte) []byte {
	if bytes.IndexByte(src, '\r') < 0 {
		return src
	}
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
}

// lines is a code block's text, verbatim, without the final newline.
func (c *converter) lines(n ast.Node) string {
	var b strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.Write(seg.Value(c.src))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (c *converter) table(n *extast.Table) content.Block {
	b := content.Block{Kind: content.KindTable}
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*extast.TableHeader); ok {
			b.HeaderRow = true
		}
		var cells []content.Cell
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, content.Cell{Inlines: c.inlines(cell, true).runs})
		}
		b.Rows = append(b.Rows, cells)
	}
	return b
}

// htmlWarnings reports inline HTML tags, one warning per line.
func (c *converter) htmlWarnings() []string {
	lines := make([]int, 0, len(c.htmlTags))
	for l := range c.htmlTags {
		lines = append(lines, l)
	}
	sort.Ints(lines)
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, fmt.Sprintf("line %d: HTML %s is not passed through; the text around it is kept as plain text", l, strings.Join(c.htmlTags[l], " ")))
	}
	return out
}
