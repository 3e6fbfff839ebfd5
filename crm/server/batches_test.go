package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// watchedBody is a request body that tells when the handler first reads it.
type watchedBody struct {
	r    io.Reader
	read chan struct{}
	once sync.Once
}

func newWatchedBody(body string) *watchedBody {
	return &watchedBody{r: strings.NewReader(body), read: make(chan struct{})}
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.once.Do(func() { close(b.read) })
	return b.r.Read(p)
}

// serveBatch posts a newsletter batch straight to h and sends the status
// once h returns.
func serveBatch(ctx context.Context, h http.Handler, key string, body io.Reader) <-chan int {
	code := make(chan int, 1)
	go func() {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, crm.PathNewsletter, body)
		req.Header.Set("Authorization", "Bearer "+testKey)
		req.Header.Set(httpapi.HeaderIdempotencyKey, key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		code <- rec.Code
	}()
	return code
}

func TestBatchesBeyondTheLimitWaitUnread(t *testing.T) {
	db := openSQLite(t)
	s := newTestServer(t, db, func(c *Config) { c.MaxBatches = 1 })
	h := s.Handler()
	// Holding SQLite's one connection stops the first batch at its first
	// query, after it took the only place and read its body.
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first := newWatchedBody(jsonBody(t, batch("n1", "a@example.com")))
	firstCode := serveBatch(context.Background(), h, "k1", first)
	select {
	case <-first.read:
	case <-time.After(10 * time.Second):
		t.Fatal("the first batch's body was not read")
	}
	second := newWatchedBody(jsonBody(t, batch("n1", "b@example.com")))
	secondCode := serveBatch(context.Background(), h, "k2", second)
	// A client that gives up while waiting for a place leaves at once.
	ctx, cancel := context.WithCancel(context.Background())
	gone := newWatchedBody(jsonBody(t, batch("n1", "c@example.com")))
	goneCode := serveBatch(ctx, h, "k3", gone)
	cancel()
	select {
	case <-goneCode:
	case <-time.After(10 * time.Second):
		t.Fatal("a request whose client went away kept waiting for a place")
	}
	select {
	case <-second.read:
		t.Fatal("the second batch was read while the first held the only place")
	case <-gone.read:
		t.Fatal("a waiting batch was read while the first held the only place")
	case <-time.After(200 * time.Millisecond):
	}
	conn.Close()
	for name, code := range map[string]<-chan int{"first": firstCode, "second": secondCode} {
		select {
		case c := <-code:
			if c != http.StatusAccepted {
				t.Errorf("%s batch: status %d, want 202", name, c)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s batch did not finish", name)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM deliveries`).Scan(&n); err != nil || n != 2 {
		t.Errorf("deliveries = %d (%v), want the two batches' 2", n, err)
	}
}

func TestDefaultMaxBatches(t *testing.T) {
	if got := DefaultMaxBatches(sqldb.SQLite); got != 8 {
		t.Errorf("SQLite: %d batches at once, want 8", got)
	}
	if got, want := DefaultMaxBatches(sqldb.Postgres), max(2, runtime.GOMAXPROCS(0)); got != want {
		t.Errorf("PostgreSQL: %d batches at once, want %d (one per CPU, at least 2)", got, want)
	}
}
