// Package cleantext removes control characters from converted documents.
// No channel can carry them: mail servers and PostgreSQL refuse NUL, a
// carriage return in a subject starts a new mail header, and ESC sequences
// rewrite the terminal of whoever previews the edition.
package cleantext

import (
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// Document removes control characters other than line feed and tab from
// every text of doc (a carriage return or next-line becomes a space) and,
// when it removed any, adds a warning naming the first.
func Document(doc *content.Document) {
	c := cleaner{}
	doc.Title = c.text(doc.Title)
	c.blocks(doc.Blocks)
	for i := range doc.Warnings {
		doc.Warnings[i] = c.text(doc.Warnings[i])
	}
	if c.found != 0 {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("the document has control characters such as %U, which cannot be sent or shown; they were removed", c.found))
	}
}

// Text returns s without control characters, as Document cleans texts.
func Text(s string) string {
	c := cleaner{}
	return c.text(s)
}

type cleaner struct {
	found rune // the first control character removed, 0 for none
}

func isControl(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || r >= 0x7f && r < 0xa0)
}

func (c *cleaner) text(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case !isControl(r):
			return r
		case r == '\r' || r == 0x85:
			return ' '
		}
		if c.found == 0 {
			c.found = r
		}
		return -1
	}, s)
}

func (c *cleaner) blocks(bs []content.Block) {
	for i := range bs {
		b := &bs[i]
		c.inlines(b.Inlines)
		for j := range b.Items {
			c.inlines(b.Items[j].Inlines)
			c.blocks(b.Items[j].Children)
		}
		c.blocks(b.Children)
		for _, row := range b.Rows {
			for k := range row {
				c.inlines(row[k].Inlines)
			}
		}
		b.Icon, b.Language, b.Text = c.text(b.Icon), c.text(b.Language), c.text(b.Text)
		b.URL, b.Alt = c.text(b.URL), c.text(b.Alt)
	}
}

func (c *cleaner) inlines(ins []content.Inline) {
	for i := range ins {
		ins[i].Text, ins[i].Link = c.text(ins[i].Text), c.text(ins[i].Link)
	}
}
