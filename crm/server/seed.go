package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
)

// SeedContact is a contact for InsertContacts.
type SeedContact struct {
	Email      string
	Name       string
	Segments   []string
	Attributes map[string]string
}

// seedChunk is how many contacts one INSERT statement carries.
const seedChunk = 500

// InsertContacts adds contacts in bulk, in one transaction: many rows per
// statement, no per-row lookups. Addresses the CRM already knows are left
// as they are (never resubscribed). It returns how many were new. Use it to
// load large lists quickly; ImportContacts is the CSV upsert.
func (s *Server) InsertContacts(ctx context.Context, cs []SeedContact) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("insert contacts: %w", err)
	}
	defer tx.Rollback()
	now := nowMillis()
	inserted := 0
	for start := 0; start < len(cs); start += seedChunk {
		ids, err := insertContactChunk(ctx, tx, s.db.Dialect, cs[start:min(start+seedChunk, len(cs))], now)
		if err != nil {
			return 0, err
		}
		if err := insertSegmentRows(ctx, tx, s.db.Dialect, ids); err != nil {
			return 0, err
		}
		inserted += len(ids)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("insert contacts: commit: %w", err)
	}
	return inserted, nil
}

// segmentRow is one contact_segments row to write.
type segmentRow struct {
	id       int64
	segments []string
}

func insertContactChunk(ctx context.Context, tx *sql.Tx, dialect string, cs []SeedContact, now int64) ([]segmentRow, error) {
	const cols = 8
	args := make([]any, 0, len(cs)*cols)
	segs := make(map[string][]string, len(cs))
	for _, c := range cs {
		email, ok := normalAddress(c.Email)
		if !ok {
			return nil, fmt.Errorf("insert contacts: %q is not a valid address", c.Email)
		}
		set, err := splitSegments(strings.Join(c.Segments, ";"))
		if err != nil {
			return nil, fmt.Errorf("insert contacts: %s: %w", email, err)
		}
		segs[email] = set
		segJSON, _ := json.Marshal(set)
		args = append(args, email, strings.TrimSpace(c.Name), string(segJSON), encodeFlat(c.Attributes), true, newToken(), now, now)
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO contacts (email, name, segments, attributes, subscribed, unsubscribe_token, created_at, updated_at)
		VALUES `+valueRows(dialect, len(cs), cols)+` ON CONFLICT (email) DO NOTHING RETURNING id, email`, args...)
	if err != nil {
		return nil, fmt.Errorf("insert contacts: %w", err)
	}
	defer rows.Close()
	var out []segmentRow
	for rows.Next() {
		var r segmentRow
		var email string
		if err := rows.Scan(&r.id, &email); err != nil {
			return nil, fmt.Errorf("insert contacts: %w", err)
		}
		r.segments = segs[email]
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("insert contacts: %w", err)
	}
	return out, nil
}

func insertSegmentRows(ctx context.Context, tx *sql.Tx, dialect string, rows []segmentRow) error {
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO contact_segments (segment, contact_id) VALUES `+valueRows(dialect, len(args)/2, 2), args...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("insert contact segments: %w", err)
		}
		return nil
	}
	for _, r := range rows {
		for _, seg := range r.segments {
			args = append(args, seg, r.id)
			if len(args) >= 2*seedChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// GenerateContacts returns n synthetic contacts numbered from first, the
// same every time: reader<i>@bench.example with a name, a city and a plan
// (and a company for some), in segments beta, pro and investors so that
// every combination occurs, and in an untargeted segment "weekly". First
// names repeat as in a real list (see generatedFirstName), so work shared
// between recipients with the same merged values is measured as a real
// send would see it.
func GenerateContacts(first, n int) []SeedContact {
	lastNames := []string{"Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Torvalds", "Hamilton"}
	cities := []string{"London", "Oslo", "Lisbon", "Toronto", "Nairobi", "Osaka", "Lima", "Berlin"}
	plans := []string{"free", "pro", "enterprise"}
	out := make([]SeedContact, 0, n)
	for i := first; i < first+n; i++ {
		segs := []string{"weekly"}
		if i%3 == 0 {
			segs = append(segs, "beta")
		}
		if i%4 == 1 {
			segs = append(segs, "pro")
		}
		if i%10 == 7 {
			segs = append(segs, "investors")
		}
		attrs := map[string]string{"city": cities[i%len(cities)], "plan": plans[i%len(plans)]}
		if i%5 == 0 {
			attrs["company"] = lastNames[(i/7)%len(lastNames)] + " & Co"
		}
		out = append(out, SeedContact{
			Email:      fmt.Sprintf("reader%07d@bench.example", i),
			Name:       generatedFirstName(i) + " " + lastNames[(i/12)%len(lastNames)],
			Segments:   segs,
			Attributes: attrs,
		})
	}
	return out
}

// firstNameCount is how many distinct first names generated contacts have.
const firstNameCount = 30000

// firstNameCDF is the cumulative share of first names by rank, a
// Zipf–Mandelbrot law (s 1.1, q 15) fitted to real populations: about 35%
// of people share the 100 commonest names and 65% the 1,000 commonest.
var firstNameCDF = sync.OnceValue(func() []float64 {
	cdf := make([]float64, firstNameCount)
	sum := 0.0
	for k := range cdf {
		sum += math.Pow(15+float64(k+1), -1.1)
		cdf[k] = sum
	}
	for k := range cdf {
		cdf[k] /= sum
	}
	return cdf
})

// generatedFirstName is contact i's first name: a rank drawn from
// firstNameCDF by a hash of i (so any range of contacts is generated the
// same), spelt from syllables (two for the 1,024 commonest, three after).
func generatedFirstName(i int) string {
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	x ^= x >> 31
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 29
	u := float64(x>>11) / (1 << 53)
	k, _ := slices.BinarySearch(firstNameCDF(), u)
	k = min(k, firstNameCount-1)
	const syl = "ma" + "ri" + "jo" + "an" + "el" + "li" + "sa" + "ka" + "te" + "no" + "ra" + "da" + "vi" + "lu" + "be" + "ta" +
		"mi" + "ha" + "so" + "ne" + "ro" + "ga" + "di" + "le" + "ya" + "ko" + "fe" + "ju" + "si" + "pa" + "to" + "ze"
	part := func(n int) string { return syl[2*n : 2*n+2] }
	var name string
	if k < 32*32 {
		name = part(k/32) + part(k%32)
	} else {
		k -= 32 * 32
		name = part(k/1024%32) + part(k/32%32) + part(k%32)
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
