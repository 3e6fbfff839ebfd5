package server

import (
	"encoding/json"
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

// inList returns the condition that column is one of the values passed as
// parameter param (by int64List or stringList): a PostgreSQL array of
// pgType, a JSON array on SQLite. The statement's text is the same for
// any number of values, so it is prepared once (see statements).
func inList(dialect, column, param, pgType string) string {
	if dialect == sqldb.Postgres {
		return column + " = ANY(" + param + "::" + pgType + "[])"
	}
	return column + " IN (SELECT value FROM json_each(" + param + "))"
}

// int64List passes ids as the parameter of an inList of bigint.
func int64List(dialect string, ids []int64) any {
	if dialect == sqldb.Postgres {
		return ids
	}
	b := make([]byte, 0, 2+len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// stringList passes vals as the parameter of an inList of text.
func stringList(dialect string, vals []string) any {
	if dialect == sqldb.Postgres {
		return vals
	}
	b, _ := json.Marshal(vals) // strings always encode
	return string(b)
}
