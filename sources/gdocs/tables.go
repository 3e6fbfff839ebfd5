package gdocs

import (
	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/internal/inline"
)

// table converts a table; its first row is the header when Docs marks it so
// (the API reports pinned header rows as tableHeader rows).
func (c *converter) table(t *docs.Table) content.Block {
	b := content.Block{Kind: content.KindTable}
	for i, row := range t.TableRows {
		if row == nil {
			row = &docs.TableRow{}
		}
		cells := make([]content.Cell, 0, len(row.TableCells))
		for _, cell := range row.TableCells {
			cells = append(cells, content.Cell{Inlines: c.flat(cellContent(cell))})
		}
		b.Rows = append(b.Rows, cells)
		if i == 0 && row.TableRowStyle != nil && row.TableRowStyle.TableHeader {
			b.HeaderRow = true
		}
	}
	return b
}

// cellContent is a cell's content; a null cell, which only a malformed
// answer holds, is an empty one.
func cellContent(cell *docs.TableCell) []*docs.StructuralElement {
	if cell == nil {
		return nil
	}
	return cell.Content
}

// flat converts structural elements to one run of text, paragraphs separated
// by line breaks, for table cells and footnotes. List paragraphs start with
// a bullet; a nested table gives a line per row, cells joined by " | ".
func (c *converter) flat(els []*docs.StructuralElement) []content.Inline {
	var runs []content.Inline
	line := func(l []content.Inline) {
		if len(l) == 0 {
			return
		}
		if len(runs) > 0 {
			runs = append(runs, inline.Break())
		}
		runs = inline.Concat(runs, l)
	}
	for _, el := range els {
		switch {
		case el == nil:
		case el.Paragraph != nil:
			var para []content.Inline
			for _, pc := range c.elements(el.Paragraph.Elements, true) {
				para = inline.Concat(para, pc.runs)
			}
			para = inline.Trim(para)
			if el.Paragraph.Bullet != nil && len(para) > 0 {
				para = inline.Concat([]content.Inline{{Text: "• "}}, para)
			}
			line(para)
		case el.Table != nil:
			for _, row := range el.Table.TableRows {
				if row == nil {
					continue
				}
				var cells []content.Inline
				for i, cell := range row.TableCells {
					if i > 0 {
						cells = inline.Append(cells, " | ", content.Inline{})
					}
					cells = inline.Concat(cells, c.flat(cellContent(cell)))
				}
				line(cells)
			}
		}
	}
	if runs == nil {
		return []content.Inline{}
	}
	return runs
}

// footnote returns the number of a referenced footnote, numbering footnotes
// in order of first reference across all tabs.
func (c *converter) footnote(id string) int {
	key := c.res.tabID + "/" + id
	if n, ok := c.noteNums[key]; ok {
		return n
	}
	// Reserve the number first: a footnote's own text converts below.
	c.notes = append(c.notes, nil)
	n := len(c.notes)
	c.noteNums[key] = n
	c.notes[n-1] = c.flat(c.res.footnotes[id].Content)
	return n
}
