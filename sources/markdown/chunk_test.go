package markdown

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/internal/testdocs"
)

// tricky holds what could tell a piece from the whole: headings inside
// fences and HTML blocks, lists and quotes closed by a heading, setext
// headings, tables, math, inline HTML and unsupported syntax warned about
// by line.
const tricky = `---
title: Pieces
---

Intro with <b>inline html</b> and $x^2$.

## Breathscape

- tight
- list

## Hardware [for: beta]

- loose

- list
  - nested

` + "```" + `

# not a heading (fenced)

## nor this
` + "```" + `

## Tips

~~~~ md
~~~

# still fenced
~~~~

<pre>
text

# inside pre

</pre>

<!--

## inside a comment

-->

> quote
> more

# Vision

| a | b |
|---|---|
| 1 | **2** |

#hashtag
---------

Setext heading
==============

    # indented code

   ## three spaces
Paragraph right after a heading.
## no blank line before
$$
x = 1
$$

<div>
block html, then a heading after a blank line
</div>

## Last
Text <span>with</span> tags.
`

func chunkInputs(t *testing.T) map[string][]byte {
	t.Helper()
	in := map[string][]byte{
		"tricky":          []byte(tricky),
		"tricky-crlf":     []byte(strings.ReplaceAll(tricky, "\n", "\r\n")),
		"generated-300KB": testdocs.Markdown(300<<10, 1),
		"with-references": []byte("# T\n\n## Tips\n\nSee [the notes][n] and a note[^1].\n\n## Vision\n\n[n]: https://example.com/n\n[^1]: The note.\n"),
	}
	ex, err := os.ReadFile(filepath.Join("..", "..", "examples", "living-document.md"))
	if err != nil {
		t.Fatal(err)
	}
	in["living-document"] = ex
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzConvert", "*"))
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, ok := strings.Cut(strings.TrimSpace(string(b)), "[]byte(")
		if s, err := strconv.Unquote(strings.TrimSuffix(lit, ")")); ok && err == nil {
			in["seed-"+filepath.Base(f)] = []byte(s)
		}
	}
	return in
}

// TestPiecesConvertLikeTheWhole: a document parsed a piece at a time,
// split at every top-level heading, gives the document parsed whole,
// warnings and their line numbers included.
func TestPiecesConvertLikeTheWhole(t *testing.T) {
	for name, src := range chunkInputs(t) {
		t.Run(name, func(t *testing.T) {
			whole, errWhole := convert(src, 1<<40)
			pieces, errPieces := convert(src, 1)
			if (errWhole == nil) != (errPieces == nil) {
				t.Fatalf("whole: %v; in pieces: %v", errWhole, errPieces)
			}
			if !reflect.DeepEqual(whole, pieces) {
				t.Errorf("in pieces:\n%+v\nwhole:\n%+v", pieces, whole)
			}
		})
	}
	body := []byte(tricky)[len("---\ntitle: Pieces\n---\n"):]
	var at []string
	for _, off := range chunks(body, 1)[1:] {
		line, _, _ := strings.Cut(string(body[off:]), "\n")
		at = append(at, line)
	}
	want := []string{"## Breathscape", "## Hardware [for: beta]", "## Tips", "# Vision", "   ## three spaces", "## no blank line before", "## Last"}
	if !reflect.DeepEqual(at, want) {
		t.Errorf("pieces start at %q, want %q", at, want)
	}
	if n := len(chunks([]byte(chunkInputs(t)["with-references"]), 1)); n != 1 {
		t.Errorf("a document with reference definitions is parsed in %d pieces, want whole", n)
	}
	if n := len(chunks(testdocs.Markdown(300<<10, 1), chunkBytes)); n < 2 {
		t.Errorf("a 300 KB document is parsed in %d piece, want more", n)
	}
}

// FuzzPieces checks piecewise conversion against whole on any input.
func FuzzPieces(f *testing.F) {
	f.Add([]byte(tricky))
	f.Fuzz(func(t *testing.T, src []byte) {
		whole, errWhole := convert(src, 1<<40)
		pieces, errPieces := convert(src, 1)
		if (errWhole == nil) != (errPieces == nil) || !reflect.DeepEqual(whole, pieces) {
			t.Fatalf("in pieces:\n%+v, %v\nwhole:\n%+v, %v", pieces, errPieces, whole, errWhole)
		}
	})
}
