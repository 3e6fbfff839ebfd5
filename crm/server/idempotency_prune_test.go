package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// keysIn reads the idempotency keys the database holds.
func keysIn(t *testing.T, s *Server) map[string]bool {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT key FROM idempotency_keys`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys[k] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// sendWithKey sends one batch under key and ages the key's row by age.
func sendWithKey(t *testing.T, s *Server, key, to string, age time.Duration) {
	t.Helper()
	rec := call(s.Handler(), http.MethodPost, crm.PathNewsletter, testKey,
		map[string]string{httpapi.HeaderIdempotencyKey: key}, jsonBody(t, batch("n-"+key, to)))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("send %s: %d %s", key, rec.Code, rec.Body)
	}
	then := time.Now().Add(-age).UnixMilli()
	if _, err := s.db.ExecContext(context.Background(), `UPDATE idempotency_keys SET created_at = $1, updated_at = $1 WHERE key = $2`, then, key); err != nil {
		t.Fatal(err)
	}
}

// TestIdempotencyKeysPruned runs the dispatcher with the default retention
// of seven days: a key eight days old is deleted from the database, a key
// six days old stays.
func TestIdempotencyKeysPruned(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newTestServer(t, b.open(t), nil)
			sendWithKey(t, s, "old", "a@example.com", 8*24*time.Hour)
			sendWithKey(t, s, "recent", "b@example.com", 6*24*time.Hour)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			defer func() { cancel(); <-done }()
			deadline := time.Now().Add(20 * time.Second)
			for keysIn(t, s)["old"] && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			if got := keysIn(t, s); got["old"] || !got["recent"] {
				t.Errorf("keys after pruning %v; want the 8-day-old key gone and the 6-day-old one kept", got)
			}
		})
	}
}

// TestIdempotencyRetentionConfigured prunes with a one-hour retention and
// reads the database: the key two hours old is gone, its deliveries are
// not, and the half-hour-old key stays.
func TestIdempotencyRetentionConfigured(t *testing.T) {
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.IdempotencyRetention = time.Hour })
	sendWithKey(t, s, "two-hours", "a@example.com", 2*time.Hour)
	sendWithKey(t, s, "half-hour", "b@example.com", 30*time.Minute)
	before := rowCounts(t, s.db)
	n, err := s.PruneIdempotencyKeys(context.Background(), time.Now())
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if got := keysIn(t, s); got["two-hours"] || !got["half-hour"] {
		t.Errorf("keys %v; want only half-hour", got)
	}
	if after := rowCounts(t, s.db); after["deliveries"] != before["deliveries"] {
		t.Errorf("deliveries %d → %d: pruning keys must keep the delivery log", before["deliveries"], after["deliveries"])
	}
}

// TestIdempotencyPruneUsesAnIndex asks each database's planner how it runs
// the prune: through the index on updated_at, not a scan of every key.
// PostgreSQL is told to avoid sequential scans, as it would on a large
// table, since on a tiny one a scan is cheapest.
func TestIdempotencyPruneUsesAnIndex(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := newTestServer(t, b.open(t), nil)
			ctx := context.Background()
			tx, err := s.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			explain := "EXPLAIN QUERY PLAN "
			if s.db.Dialect == sqldb.Postgres {
				explain = "EXPLAIN "
				if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := tx.QueryContext(ctx, explain+pruneKeysSQL, time.Now().UnixMilli())
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var plan []string
			for rows.Next() {
				vals := make([]any, len(cols))
				for i := range vals {
					vals[i] = new(any)
				}
				if err := rows.Scan(vals...); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, fmt.Sprint(*vals[len(vals)-1].(*any)))
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(plan, "\n"), "idempotency_keys_updated_at") {
				t.Errorf("the prune does not use the index idempotency_keys_updated_at; plan:\n%s", strings.Join(plan, "\n"))
			}
		})
	}
}
