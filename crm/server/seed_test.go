package server

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestInsertContacts(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newTestServer(t, b.open(t), nil)
			ctx := context.Background()
			if _, err := s.db.Exec(`DELETE FROM contact_segments; DELETE FROM contacts`); err != nil {
				t.Fatal(err)
			}
			// More than one statement's worth, then an overlapping range.
			if n, err := s.InsertContacts(ctx, GenerateContacts(0, 1200)); err != nil || n != 1200 {
				t.Fatalf("insert 0..1199: %d, %v; want 1200", n, err)
			}
			if _, err := s.db.Exec(`UPDATE contacts SET subscribed = FALSE, name = 'Kept' WHERE email = 'reader0001100@bench.example'`); err != nil {
				t.Fatal(err)
			}
			if n, err := s.InsertContacts(ctx, GenerateContacts(1000, 300)); err != nil || n != 100 {
				t.Fatalf("insert 1000..1299: %d, %v; want 100 new", n, err)
			}
			all := recipients(t, s, nil, 1000)
			if len(all) != 1299 {
				t.Errorf("%d subscribed recipients, want 1299 (one unsubscribed stays so)", len(all))
			}
			tests := []struct {
				segment string
				want    func(i int) bool
			}{
				{"beta", func(i int) bool { return i%3 == 0 }},
				{"pro", func(i int) bool { return i%4 == 1 }},
				{"investors", func(i int) bool { return i%10 == 7 }},
				{"weekly", func(int) bool { return true }},
			}
			for _, tt := range tests {
				want := 0
				for i := range 1300 {
					if tt.want(i) && i != 1100 {
						want++
					}
				}
				if got := len(recipients(t, s, []string{tt.segment}, 1000)); got != want {
					t.Errorf("segment %s: %d recipients, want %d", tt.segment, got, want)
				}
			}
			r := all[57]
			if r.Email != "reader0000057@bench.example" || r.Name == "" || r.Attributes["city"] == "" || r.Attributes["plan"] == "" ||
				!slices.Equal(r.Segments, []string{"beta", "investors", "pro", "weekly"}) {
				t.Errorf("recipient 57 = %+v, want every targeted segment, a name, a city and a plan", r)
			}
		})
	}
}

func TestInsertContactsRefusesBadRows(t *testing.T) {
	tests := []struct {
		name    string
		contact SeedContact
		want    string
	}{
		{"bad address", SeedContact{Email: "not-an-email"}, `"not-an-email" is not a valid address`},
		{"control character in a segment", SeedContact{Email: "a@example.com", Segments: []string{"a\x01b"}}, "without control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, openSQLite(t), nil)
			n, err := s.InsertContacts(context.Background(), []SeedContact{{Email: "ok@example.com"}, tt.contact})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if n != 0 || rowCounts(t, s.db)["contacts"] != 0 {
				t.Errorf("a refused batch wrote contacts: n=%d", n)
			}
		})
	}
}

// Generated first names repeat as in a real list: a few are common, most
// are rare, and a contact's name does not depend on the range generated.
func TestGeneratedFirstNamesAreSpreadLikeARealList(t *testing.T) {
	const n = 100000
	counts := map[string]int{}
	for _, c := range GenerateContacts(0, n) {
		first, _, _ := strings.Cut(c.Name, " ")
		counts[first]++
	}
	byCount := slices.Collect(maps.Values(counts))
	slices.SortFunc(byCount, func(a, b int) int { return b - a })
	share := func(top int) float64 {
		sum := 0
		for _, c := range byCount[:min(top, len(byCount))] {
			sum += c
		}
		return float64(sum) / n
	}
	if s := share(100); s < 0.25 || s > 0.45 {
		t.Errorf("the 100 commonest first names cover %.0f%% of contacts, want about 35%%", 100*s)
	}
	if s := share(1000); s < 0.55 || s > 0.75 {
		t.Errorf("the 1,000 commonest first names cover %.0f%% of contacts, want about 65%%", 100*s)
	}
	t.Logf("%d distinct first names; the 100 commonest cover %.1f%%, the 1,000 commonest %.1f%%", len(counts), 100*share(100), 100*share(1000))
	if len(counts) < 10000 {
		t.Errorf("%d distinct first names in %d contacts, want a long tail", len(counts), n)
	}
	if a, b := GenerateContacts(70000, 1)[0].Name, GenerateContacts(0, 70001)[70000].Name; a != b {
		t.Errorf("contact 70000 is %q generated alone and %q in a range", a, b)
	}
}
