package render

import (
	"strings"

	"github.com/halcytone/contentgen/content"
)

// textTable lays a table out in aligned columns when it fits cols, and
// otherwise as one "Header: value" line per cell, a blank line between rows.
func textTable(b content.Block, cols int) string {
	var rows [][]string
	ncol := 0
	for _, r := range b.Rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = oneLine(plainInlines(c.Inlines))
		}
		rows = append(rows, cells)
		ncol = max(ncol, len(cells))
	}
	if ncol == 0 {
		return ""
	}
	for i := range rows {
		for len(rows[i]) < ncol {
			rows[i] = append(rows[i], "")
		}
	}
	widths := make([]int, ncol)
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	total := 3 * (ncol - 1)
	for _, w := range widths {
		total += w
	}
	if total <= cols {
		return alignedTable(rows, widths, b.HeaderRow)
	}
	return stackedTable(rows, b.HeaderRow, cols)
}

func alignedTable(rows [][]string, widths []int, header bool) string {
	lines := make([]string, 0, len(rows)+1)
	for i, r := range rows {
		cells := make([]string, len(r))
		for c, s := range r {
			cells[c] = s + strings.Repeat(" ", widths[c]-displayWidth(s))
		}
		lines = append(lines, strings.TrimRight(strings.Join(cells, " | "), " "))
		if i == 0 && header {
			rule := make([]string, len(widths))
			for c, w := range widths {
				rule[c] = strings.Repeat("-", w)
			}
			lines = append(lines, strings.Join(rule, "-+-"))
		}
	}
	return strings.Join(lines, "\n")
}

func stackedTable(rows [][]string, header bool, cols int) string {
	var heads []string
	if header {
		heads, rows = rows[0], rows[1:]
	}
	blocks := make([]string, 0, len(rows))
	for _, r := range rows {
		if heads == nil {
			blocks = append(blocks, wrap(strings.Join(r, " | "), cols))
			continue
		}
		lines := make([]string, 0, len(r))
		for c, s := range r {
			lines = append(lines, indentRest(wrap(heads[c]+": "+s, cols), "  "))
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return strings.Join(blocks, "\n\n")
}
