package markdown

import (
	"bytes"
	"regexp"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// chunkBytes is about the most Markdown given to the parser at once.
// goldmark's syntax tree takes some 20 times the text it holds, so a large
// document is parsed and converted piece by piece, each piece starting at
// a top-level heading, and only one piece's tree is in memory.
const chunkBytes = 256 << 10

// refDefinition matches a link reference or footnote definition, which
// any part of a document may use: a document holding one is parsed whole.
var refDefinition = regexp.MustCompile(`(?m)^ {0,3}\[[^\]\n]*\]:`)

// atxHeading matches the start of a "## Heading" line.
var atxHeading = regexp.MustCompile(`^ {0,3}#{1,6}([ \t\n]|$)`)

// chunks returns the offsets where the pieces of body start, the first
// at 0. A piece starts only at an ATX heading ("## …") that is a child of
// the document itself: there every block before it is closed, so parsing
// from the heading on gives the blocks parsing the whole would. The
// block structure comes from a first pass without inline parsing.
func chunks(body []byte, size int) []int {
	starts := []int{0}
	if len(body) <= size || refDefinition.Match(body) {
		return starts
	}
	root := parser.NewParser(parser.WithBlockParsers(parser.DefaultBlockParsers()...)).Parse(text.NewReader(body))
	last := 0
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if _, ok := n.(*ast.Heading); !ok || n.Lines().Len() == 0 {
			continue
		}
		off := bytes.LastIndexByte(body[:n.Lines().At(0).Start], '\n') + 1
		if off-last < size || !atxHeading.Match(body[off:min(len(body), off+16)]) {
			continue // too soon, or a setext heading
		}
		starts = append(starts, off)
		last = off
	}
	return starts
}
