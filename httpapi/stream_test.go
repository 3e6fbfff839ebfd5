package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestDoStreamBoundsStallsNotSize streams a body for longer than the
// client's timeout: steady progress succeeds, a stall fails and says so.
func TestDoStreamBoundsStallsNotSize(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"bytes":1}`)
	}))
	t.Cleanup(srv.Close)
	c := NewClient(srv.URL, "", nil, 300*time.Millisecond)

	steady := func(w io.Writer) error {
		for i := 0; i < 12; i++ { // 12 × 100 ms: four times the timeout
			if _, err := w.Write(make([]byte, 80<<10)); err != nil {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
		return nil
	}
	var out struct{ Bytes int }
	if err := c.DoStream(context.Background(), "put content", http.MethodPut, "/c", nil, steady, &out); err != nil {
		t.Fatalf("a body that keeps moving for 1.2 s failed under a 300 ms stall timeout: %v", err)
	}

	stalls := func(w io.Writer) error {
		if _, err := w.Write(make([]byte, 80<<10)); err != nil {
			return err
		}
		time.Sleep(2 * time.Second)
		_, err := w.Write(make([]byte, 80<<10))
		return err
	}
	err := c.DoStream(context.Background(), "put content", http.MethodPut, "/c", nil, stalls, &out)
	if err == nil || !strings.Contains(err.Error(), "no progress for 300ms") || !strings.Contains(err.Error(), "put content") {
		t.Fatalf("a body that stalls for 2 s: got %v, want an error naming the operation and the stall", err)
	}
}
