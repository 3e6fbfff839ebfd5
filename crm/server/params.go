package server

import (
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/internal/sqldb"
)

// valueRows returns rows groups of cols placeholders, "(…), (…)", for a
// statement whose only parameters they are. SQLite gets anonymous "?":
// its parser and driver look every "$n" up in a list, which makes a
// statement with thousands of "$n" cost time quadratic in their number.
func valueRows(dialect string, rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 6)
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			if dialect == sqldb.SQLite {
				b.WriteByte('?')
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(n))
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// valueList returns n placeholders "a, b, …" for a statement whose only
// parameters they are (see valueRows).
func valueList(dialect string, n int) string {
	s := valueRows(dialect, 1, n)
	return s[1 : len(s)-1]
}
