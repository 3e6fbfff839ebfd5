package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/pgtest"
	"github.com/halcytone/contentgen/internal/sqldb"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two keys are accepted at once, as during a key rotation.
const (
	testKey    = "key-current"
	testOldKey = "key-previous"
)

type backend struct {
	name string
	open func(t *testing.T) *sqldb.DB
}

// backends are the databases the store tests run against.
var backends = []backend{
	{"sqlite", openSQLite},
	{"postgres", func(t *testing.T) *sqldb.DB { return openDB(t, pgtest.DSN(t)) }},
}

func openSQLite(t *testing.T) *sqldb.DB {
	return openDB(t, filepath.Join(t.TempDir(), "crm.db"))
}

func openDB(t testing.TB, url string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newTestServer returns a server in log mode with fast retries; edit
// adjusts the config.
func newTestServer(t testing.TB, db *sqldb.DB, edit func(*Config)) *Server {
	t.Helper()
	cfg := Config{
		DB: db, Keys: httpapi.NewKeys(testKey, testOldKey), PublicURL: "https://crm.example.com",
		From:     "Halcytone <news@example.com>",
		Delivery: DeliveryConfig{Mode: ModeLog, RetryBackoff: 10 * time.Millisecond, PollInterval: 20 * time.Millisecond},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return s
}

func importCSV(t *testing.T, s *Server, csv string) crm.ImportResult {
	t.Helper()
	res, err := s.ImportContacts(context.Background(), strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// call sends one request through the handler.
func call(h http.Handler, method, target, key string, hdr map[string]string, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var tables = []string{"contacts", "contact_segments", "newsletters", "newsletter_content", "variants", "deliveries", "idempotency_keys"}

// rowCounts counts the rows of every table.
func rowCounts(t *testing.T, db *sqldb.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func flush(t testing.TB, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// allDeliveries reads every page of a newsletter's delivery log.
func allDeliveries(t *testing.T, s *Server, newsletterID string) (map[string]int, []crm.Delivery) {
	t.Helper()
	var rows []crm.Delivery
	var after int64
	for {
		page, err := s.deliveries(context.Background(), newsletterID, "", after, 7)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, page.Deliveries...)
		if page.NextCursor == "" {
			return page.Counts, rows
		}
		if after, err = decodeCursor(page.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
}
