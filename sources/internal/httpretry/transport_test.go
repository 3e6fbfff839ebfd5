package httpretry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// throttle answers the first n requests with status and header, then 200
// with the request body echoed.
func throttle(t *testing.T, n int32, status int, header http.Header) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if calls.Add(1) <= n {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	srv, calls := throttle(t, 1, http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}})
	client := &http.Client{Transport: &Transport{MaxRetries: 3}}

	start := time.Now()
	resp, err := client.Post(srv.URL, "text/plain", strings.NewReader("again"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %v, want at least the 1s Retry-After", elapsed)
	}
	if resp.StatusCode != http.StatusOK || string(body) != "again" {
		t.Errorf("got %d %q, want 200 with the request body sent again", resp.StatusCode, body)
	}
	if got := calls.Load(); got != 2 {
		t.Errorf("server saw %d requests, want 2", got)
	}
}

func TestGivesUp(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    http.Header
		transport Transport
		wantCalls int32
	}{
		{"retries exhausted", 429, nil, Transport{MaxRetries: 2, Backoff: time.Millisecond}, 3},
		{"retry-after beyond max wait", 429, http.Header{"Retry-After": {"120"}}, Transport{MaxRetries: 3}, 1},
		{"503 without retry-after", 503, nil, Transport{MaxRetries: 3}, 1},
		{"other errors", 500, http.Header{"Retry-After": {"0"}}, Transport{MaxRetries: 3}, 1},
		{"no retries", 429, http.Header{"Retry-After": {"0"}}, Transport{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, calls := throttle(t, 100, tt.status, tt.header)
			client := &http.Client{Transport: &tt.transport}
			resp, err := client.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("server saw %d requests, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestRetries503WithRetryAfter(t *testing.T) {
	srv, calls := throttle(t, 1, http.StatusServiceUnavailable, http.Header{"Retry-After": {"0"}})
	resp, err := (&http.Client{Transport: &Transport{MaxRetries: 1}}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || calls.Load() != 2 {
		t.Errorf("status %d after %d requests, want 200 after 2", resp.StatusCode, calls.Load())
	}
}

func TestWaitStopsWithContext(t *testing.T) {
	srv, _ := throttle(t, 100, 429, http.Header{"Retry-After": {"10"}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	start := time.Now()
	_, err := (&http.Client{Transport: &Transport{MaxRetries: 3}}).Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("kept waiting after the context ended")
	}
}

func TestLimiterPacesRequests(t *testing.T) {
	srv, _ := throttle(t, 0, 0, nil)
	client := &http.Client{Transport: &Transport{Limiter: rate.NewLimiter(20, 1)}}
	start := time.Now()
	for range 5 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// 20 requests a second with a burst of 1: four waits of 50ms.
	if elapsed := time.Since(start); elapsed < 190*time.Millisecond {
		t.Errorf("5 requests took %v, want at least 200ms at 20/s", elapsed)
	}
}
