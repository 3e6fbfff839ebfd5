package markdown

import (
	"bytes"
	"fmt"

	"github.com/yuin/goldmark/ast"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// Nesting bounds. Parsing costs about the input's size times its nesting
// depth, and rendering the nested text of every level again costs about
// the same, so a few kilobytes of "> > > …" or "- - - …" could otherwise
// keep a worker busy for minutes. No newsletter nests anywhere near them.
const (
	// maxDepth is how deep lists and quotes are converted; deeper ones are
	// left out with a warning.
	maxDepth = 32
	// maxLineDepth is how deep a line may reach before parsing; a deeper
	// one fails the document.
	maxLineDepth = 256
)

// checkNesting fails for a line that could open more than maxLineDepth
// lists and quotes.
func checkNesting(src []byte) error {
	for i, line := range bytes.Split(src, []byte("\n")) {
		if d := lineDepth(line); d > maxLineDepth {
			return fmt.Errorf("convert markdown: %w: line %d nests lists or quotes about %d deep (by its indentation and > or list markers); "+
				"an edition shows at most %d levels, so flatten it", sources.ErrInvalid, i+1, d, maxDepth)
		}
	}
	return nil
}

// lineDepth bounds how many lists and quotes a line can be inside: one per
// ">" or list marker at its start, one per two columns of indentation (the
// least a nested item needs). A blank line nests nothing.
func lineDepth(line []byte) int {
	line = bytes.TrimRight(line, " \t\r")
	markers, cols := 0, 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ':
			cols++
		case c == '\t':
			cols += 4 - cols%4
		case c == '>':
			markers++
			if i+1 < len(line) && line[i+1] == ' ' {
				i++ // the space belongs to the marker
			}
		case (c == '-' || c == '*' || c == '+') && spaceAt(line, i+1):
			markers, i = markers+1, i+1
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j == len(line) || (line[j] != '.' && line[j] != ')') || !spaceAt(line, j+1) {
				return markers + cols/2
			}
			markers, i = markers+1, j+1
		default:
			return markers + cols/2
		}
	}
	return markers + cols/2
}

// spaceAt reports whether line has white space or its end at i.
func spaceAt(line []byte, i int) bool {
	return i >= len(line) || line[i] == ' ' || line[i] == '\t'
}

// nested converts a list or quote one level deeper, leaving out what lies
// beyond maxDepth.
func (c *converter) nested(n ast.Node, convert func() []content.Block) []content.Block {
	if c.depth >= maxDepth {
		if !c.deepCut {
			c.deepCut = true
			c.warnf(n, "lists and quotes nested more than %d deep are left out, here and wherever else they occur; flatten them", maxDepth)
		}
		return nil
	}
	c.depth++
	defer func() { c.depth-- }()
	return convert()
}
