package markdown

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mathKind is the kind of a math span: "$…$" or "$$…$$" in the text.
var mathKind = ast.NewNodeKind("Math")

// mathSpan is TeX between dollar signs. Newsletters cannot typeset it, so
// it is kept as its source in code style, with a warning.
type mathSpan struct {
	ast.BaseInline
	tex     string
	display bool
}

func (n *mathSpan) Kind() ast.NodeKind { return mathKind }

func (n *mathSpan) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"TeX": n.tex}, nil)
}

// mathParser finds "$…$" and "$$…$$" the way Pandoc does, so prices are
// not math: the opening "$" is followed by a non-space, the closing one
// follows a non-space and is not followed by a digit.
type mathParser struct{}

func (mathParser) Trigger() []byte { return []byte{'$'} }

func (mathParser) Parse(_ ast.Node, block text.Reader, _ parser.Context) ast.Node {
	line, _ := block.PeekLine()
	delim := 1
	if bytes.HasPrefix(line, []byte("$$")) {
		delim = 2
	}
	if block.PrecendingCharacter() == '\\' || len(line) <= delim || util.IsSpace(line[delim]) {
		return nil
	}
	closer := bytes.Repeat([]byte{'$'}, delim)
	for i := delim; i+delim <= len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if !bytes.HasPrefix(line[i:], closer) || util.IsSpace(line[i-1]) {
			continue
		}
		if after := i + delim; after < len(line) && (line[after] >= '0' && line[after] <= '9' || line[after] == '$') {
			continue
		}
		block.Advance(i + delim)
		return &mathSpan{tex: string(line[delim:i]), display: delim == 2}
	}
	return nil
}

// mathBlock is the TeX of a paragraph that is only "$$ … $$", possibly
// over several lines, and whether it is one.
func (c *converter) mathBlock(n ast.Node) (string, bool) {
	var b bytes.Buffer
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		b.Write(seg.Value(c.src))
	}
	s := bytes.TrimSpace(b.Bytes())
	if len(s) < 5 || !bytes.HasPrefix(s, []byte("$$")) || !bytes.HasSuffix(s, []byte("$$")) || bytes.Contains(s[2:len(s)-2], []byte("$$")) {
		return "", false
	}
	return string(bytes.TrimSpace(s[2 : len(s)-2])), true
}
