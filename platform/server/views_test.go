package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/platform"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

const (
	firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safari  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 Safari/604.1"
)

// read loads the update page as a reader at addr with user agent ua.
func read(t *testing.T, base, slug, addr, ua string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/updates/"+slug, nil)
	req.Header.Set("User-Agent", ua)
	req.Header.Set("X-Forwarded-For", addr+", 10.0.0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page %s: %d", slug, resp.StatusCode)
	}
}

// TestWebViews counts reads per day: a reader who comes back the same day
// is one unique visitor, the next day a new one; robots and prefetches
// are not reads; and no address ever reaches the database.
func TestWebViews(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			clk := &clock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
			s := newTestServer(t, db, func(c *Config) { c.Now = clk.Now; c.TrustProxy = true })
			base := startHTTP(t, s)
			client := platform.New(platform.Options{BaseURL: base, APIKey: testKey})
			ctx := context.Background()
			req := sampleRequest("2026-w49-halcytone-weekly")
			req.Edition = "2026-W49"
			if _, err := client.CreateUpdate(ctx, "", req); err != nil {
				t.Fatal(err)
			}
			const ann, bo = "203.0.113.77", "198.51.100.23"
			for range 3 {
				read(t, base, req.Slug, ann, firefox)
			}
			read(t, base, req.Slug, ann, safari) // another device of the same household
			read(t, base, req.Slug, bo, firefox)
			read(t, base, req.Slug, bo, "Googlebot/2.1 (+http://www.google.com/bot.html)")
			prefetch, _ := http.NewRequest(http.MethodGet, base+"/updates/"+req.Slug, nil)
			prefetch.Header.Set("User-Agent", firefox)
			prefetch.Header.Set("Sec-Purpose", "prefetch")
			if resp, err := http.DefaultClient.Do(prefetch); err == nil {
				resp.Body.Close()
			}
			clk.Set(clk.Now().Add(24 * time.Hour))
			read(t, base, req.Slug, ann, firefox)

			v, err := client.Views(ctx, "2026-W49")
			if err != nil {
				t.Fatal(err)
			}
			want := platform.Views{Edition: "2026-W49", Slug: req.Slug, Views: 6, UniqueVisitors: 4, Days: []platform.ViewDay{
				{Day: "2026-12-07", Views: 5, UniqueVisitors: 3}, {Day: "2026-12-08", Views: 1, UniqueVisitors: 1}}}
			if fmt.Sprint(v) != fmt.Sprint(want) {
				t.Errorf("views\n got %+v\nwant %+v", v, want)
			}
			assertNoAddress(t, db, ann, bo, "Firefox", "Safari")
			var salts, visitors int
			_ = db.QueryRow(`SELECT COUNT(*) FROM view_salts WHERE day < '2026-12-08'`).Scan(&salts)
			_ = db.QueryRow(`SELECT COUNT(*) FROM view_visitors WHERE day < '2026-12-08'`).Scan(&visitors)
			if salts != 0 || visitors != 0 {
				t.Errorf("yesterday's salt (%d) and visitor hashes (%d) were kept", salts, visitors)
			}

			if _, err := client.Views(ctx, "2026-W01"); !errors.Is(err, platform.ErrNotFound) {
				t.Errorf("views of an unpublished edition: %v", err)
			}
			if r := do(t, http.MethodGet, base+platform.PathViews+"?edition=2026-W49", "", nil, nil); r.status != http.StatusUnauthorized {
				t.Errorf("views without a key: %d", r.status)
			}
		})
	}
}

// assertNoAddress reads every text cell of every table and fails when one
// holds any of needles.
func assertNoAddress(t *testing.T, db *sqldb.DB, needles ...string) {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect == sqldb.Postgres {
		q = `SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 4 {
		t.Fatalf("found only tables %v", tables)
	}
	cells := 0
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				cell := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					cell = string(b)
				}
				cells++
				for _, n := range needles {
					if strings.Contains(cell, n) {
						t.Errorf("table %s column %s holds %q", table, cols[i], n)
					}
				}
			}
		}
		rows.Close()
	}
	if cells == 0 {
		t.Fatal("read no cells")
	}
}
