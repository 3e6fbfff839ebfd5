package server

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// maxImportErrors caps the row errors an import reports one by one.
const maxImportErrors = 100

// contactRow is one valid CSV row.
type contactRow struct {
	line       int
	email      string
	name       string
	segments   []string
	attributes map[string]string
}

// csvLayout is what the header row says about the columns.
type csvLayout struct {
	email, name, segments int
	attrs                 map[int]string
	width                 int
}

// ErrBadCSV marks an import whose header makes the file unreadable.
var ErrBadCSV = errors.New("contacts CSV")

func parseHeader(header []string) (csvLayout, error) {
	l := csvLayout{email: -1, name: -1, segments: -1, attrs: map[int]string{}, width: len(header)}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if seen[h] {
			return l, fmt.Errorf("%w: header column %d %q appears twice", ErrBadCSV, i+1, h)
		}
		seen[h] = true
		switch h {
		case "email":
			l.email = i
		case "name":
			l.name = i
		case "segments":
			l.segments = i
		default:
			if !mergetag.ValidField(mergetag.AttrPrefix + h) {
				return l, fmt.Errorf("%w: header column %d %q: attribute names are letters, digits, '_', '.' or '-'", ErrBadCSV, i+1, h)
			}
			l.attrs[i] = h
		}
	}
	if l.email < 0 {
		return l, fmt.Errorf("%w: the header row has no email column; start the file with a header like email,name,segments,city", ErrBadCSV)
	}
	return l, nil
}

// readContacts parses a contacts CSV into valid rows and per-row errors.
func readContacts(r io.Reader) ([]contactRow, []string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("%w: the file is empty; it needs a header row (email,name,segments,…)", ErrBadCSV)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: header row: %v", ErrBadCSV, err)
	}
	layout, err := parseHeader(header)
	if err != nil {
		return nil, nil, err
	}
	var rows []contactRow
	var errs []string
	firstLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%v; rows after it were not read", err))
			break
		}
		line, _ := cr.FieldPos(0)
		row, err := layout.row(line, rec)
		if err == nil && firstLine[row.email] > 0 {
			err = fmt.Errorf("line %d: %s already appears on line %d", line, row.email, firstLine[row.email])
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		firstLine[row.email] = line
		rows = append(rows, row)
	}
	return rows, errs, nil
}

func (l csvLayout) row(line int, rec []string) (contactRow, error) {
	if len(rec) != l.width {
		return contactRow{}, fmt.Errorf("line %d: %d fields, but the header has %d", line, len(rec), l.width)
	}
	email, ok := normalAddress(rec[l.email])
	if !ok {
		return contactRow{}, fmt.Errorf("line %d: email %q is not a valid address", line, strings.TrimSpace(rec[l.email]))
	}
	row := contactRow{line: line, email: email, segments: []string{}, attributes: map[string]string{}}
	if l.name >= 0 {
		row.name = strings.TrimSpace(rec[l.name])
	}
	if l.segments >= 0 {
		segs, err := splitSegments(rec[l.segments])
		if err != nil {
			return contactRow{}, fmt.Errorf("line %d: %w", line, err)
		}
		row.segments = segs
	}
	for i, name := range l.attrs {
		if v := strings.TrimSpace(rec[i]); v != "" {
			row.attributes[name] = v
		}
	}
	return row, nil
}

// splitSegments reads "beta; pro|investors" as a sorted set.
func splitSegments(field string) ([]string, error) {
	parts := strings.FieldsFunc(field, func(r rune) bool { return r == ';' || r == '|' })
	segs := []string{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			continue
		case len(p) > 100 || strings.IndexFunc(p, unicode.IsControl) >= 0:
			return nil, fmt.Errorf("segment %q must be at most 100 characters without control characters", p)
		}
		segs = append(segs, p)
	}
	slices.Sort(segs)
	return slices.Compact(segs), nil
}
