package gdocs

import (
	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/internal/inline"
)

// table converts a table; its first row is the header when Docs marks it so
// (the API reports pinned header rows as tableHeader rows). Merged cells
// keep their spans. A table inside a cell cannot be a cell's content in
// any channel, so it follows the table, its cell saying "(table below)".
func (c *converter) table(t *docs.Table) []content.Block {
	b := content.Block{Kind: content.KindTable}
	var nested []content.Block
	covered := map[[2]int]bool{}
	for i, row := range t.TableRows {
		if row == nil {
			row = &docs.TableRow{}
		}
		cells := make([]content.Cell, 0, len(row.TableCells))
		for j, cell := range row.TableCells {
			var text []*docs.StructuralElement
			var inner []content.Block
			for _, el := range cellContent(cell) {
				if el != nil && el.Table != nil {
					inner = append(inner, c.table(el.Table)...)
					continue
				}
				text = append(text, el)
			}
			out := content.Cell{Inlines: c.flat(text), Merged: covered[[2]int{i, j}]}
			if len(inner) > 0 {
				out.Inlines = inline.Concat(out.Inlines, below(len(out.Inlines) > 0))
				nested = append(nested, inner...)
			}
			if cell != nil && cell.TableCellStyle != nil {
				out.RowSpan, out.ColSpan = spans(cell.TableCellStyle, i, j, covered)
			}
			cells = append(cells, out)
		}
		b.Rows = append(b.Rows, cells)
		if i == 0 && row.TableRowStyle != nil && row.TableRowStyle.TableHeader {
			b.HeaderRow = true
		}
	}
	if len(nested) > 0 {
		c.warn("a table inside a table cell is shown after its table; email clients and Markdown cannot nest tables")
	}
	return append([]content.Block{b}, nested...)
}

// below is the note a cell keeps where a nested table was.
func below(afterText bool) []content.Inline {
	note := []content.Inline{{Text: "(table below)", Italic: true}}
	if afterText {
		return append([]content.Inline{inline.Break()}, note...)
	}
	return note
}

// spans returns a merged cell's row and column spans (0 for one) and marks
// the cells its span covers.
func spans(st *docs.TableCellStyle, row, col int, covered map[[2]int]bool) (rowSpan, colSpan int) {
	rs, cs := max(int(st.RowSpan), 1), max(int(st.ColumnSpan), 1)
	if rs == 1 && cs == 1 {
		return 0, 0
	}
	// Spans beyond a table's size only come from a malformed answer.
	rs, cs = min(rs, 1000), min(cs, 1000)
	for r := row; r < row+rs; r++ {
		for c := col; c < col+cs; c++ {
			if r != row || c != col {
				covered[[2]int{r, c}] = true
			}
		}
	}
	if rs == 1 {
		rs = 0
	}
	if cs == 1 {
		cs = 0
	}
	return rs, cs
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
