package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halcytone/contentgen/httpapi"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// flakyServer answers with the status in code and counts requests.
type flakyServer struct {
	*httptest.Server
	code atomic.Int32
	hits atomic.Int32
}

func newFlakyServer(t *testing.T, code int) *flakyServer {
	s := &flakyServer{}
	s.code.Store(int32(code))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		httpapi.WriteError(w, int(s.code.Load()), "test", "", "status %d", s.code.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

func newBreakerClient(srv *flakyServer, clock *fakeClock, threshold int) (*httpapi.Breaker, *httpapi.Client) {
	b := httpapi.NewBreaker(httpapi.BreakerOptions{Service: "crm", FailureThreshold: threshold, OpenFor: 10 * time.Second, Now: clock.Now})
	hc := &http.Client{Transport: b.Transport(nil)}
	return b, httpapi.NewClient(srv.URL, "", hc, 0)
}

func get(c *httpapi.Client) error {
	return c.Do(context.Background(), "crm recipients", http.MethodGet, "/api/v1/recipients", nil, nil, nil)
}

func TestBreakerOpensFailsFastAndRecovers(t *testing.T) {
	srv := newFlakyServer(t, http.StatusServiceUnavailable)
	clock := &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	b, c := newBreakerClient(srv, clock, 3)

	for i := range 3 {
		if err := get(c); errors.Is(err, httpapi.ErrCircuitOpen) {
			t.Fatalf("call %d refused before the threshold: %v", i, err)
		}
	}
	if b.State() != httpapi.BreakerOpen {
		t.Fatalf("state after 3 failures = %v, want open", b.State())
	}
	err := get(c)
	var open *httpapi.CircuitOpenError
	if !errors.Is(err, httpapi.ErrCircuitOpen) || !errors.As(err, &open) {
		t.Fatalf("open breaker: err = %v, want ErrCircuitOpen", err)
	}
	if se, ok := httpapi.AsStatusError(err); ok {
		t.Errorf("open breaker returned a StatusError %v; it must stay retryable", se)
	}
	for _, want := range []string{"crm", "2026-11-23T09:00:10Z", "retried"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if n := srv.hits.Load(); n != 3 {
		t.Errorf("server hits = %d, want 3: an open breaker must not call the server", n)
	}

	clock.Advance(10 * time.Second)
	if b.State() != httpapi.BreakerHalfOpen {
		t.Fatalf("state after OpenFor = %v, want half-open", b.State())
	}
	if err := get(c); errors.Is(err, httpapi.ErrCircuitOpen) {
		t.Fatalf("probe refused: %v", err)
	}
	if b.State() != httpapi.BreakerOpen || srv.hits.Load() != 4 {
		t.Fatalf("failed probe: state %v hits %d, want open and 4", b.State(), srv.hits.Load())
	}
	if err := get(c); !errors.Is(err, httpapi.ErrCircuitOpen) {
		t.Fatalf("after a failed probe: %v, want fail fast", err)
	}

	srv.code.Store(http.StatusOK)
	clock.Advance(10 * time.Second)
	if err := get(c); err != nil {
		t.Fatalf("probe against a healthy server: %v", err)
	}
	if b.State() != httpapi.BreakerClosed {
		t.Fatalf("state after a good probe = %v, want closed", b.State())
	}
	for range 5 {
		if err := get(c); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.hits.Load(); n != 10 {
		t.Errorf("server hits = %d, want 10", n)
	}
}

func TestBreakerCountsOnlyServiceFailures(t *testing.T) {
	tests := []struct {
		name     string
		code     int
		wantOpen bool
	}{
		{"5xx trips", http.StatusBadGateway, true},
		{"429 does not", http.StatusTooManyRequests, false},
		{"4xx does not", http.StatusUnprocessableEntity, false},
		{"401 does not", http.StatusUnauthorized, false},
		{"2xx does not", http.StatusOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFlakyServer(t, tt.code)
			b, c := newBreakerClient(srv, &fakeClock{}, 2)
			for range 4 {
				_ = get(c)
			}
			if got := b.State() == httpapi.BreakerOpen; got != tt.wantOpen {
				t.Errorf("open = %v, want %v (state %v)", got, tt.wantOpen, b.State())
			}
		})
	}
}

func TestBreakerTransportErrorsAndReset(t *testing.T) {
	srv := newFlakyServer(t, http.StatusOK)
	clock := &fakeClock{}
	b := httpapi.NewBreaker(httpapi.BreakerOptions{Service: "platform", FailureThreshold: 2, Now: clock.Now})
	dead := httpapi.NewClient("http://127.0.0.1:1", "", &http.Client{Transport: b.Transport(nil)}, 0)
	live := httpapi.NewClient(srv.URL, "", &http.Client{Transport: b.Transport(nil)}, 0)

	_ = get(dead)
	_ = get(live) // a success in between resets the count
	_ = get(dead)
	if b.State() != httpapi.BreakerClosed {
		t.Fatalf("failures that are not consecutive opened the breaker")
	}
	_ = get(dead)
	if b.State() != httpapi.BreakerOpen {
		t.Fatalf("two consecutive connection failures: state %v, want open", b.State())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock.Advance(10 * time.Second)
	_ = live.Do(ctx, "op", http.MethodGet, "/", nil, nil, nil)
	if b.State() != httpapi.BreakerHalfOpen {
		t.Errorf("a probe the caller cancelled decided the state: %v", b.State())
	}
}

func TestBreakerHalfOpenAllowsOneProbe(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) > 1 {
			<-release // the probe waits until the others were refused
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	clock := &fakeClock{}
	var changes atomic.Int32
	b := httpapi.NewBreaker(httpapi.BreakerOptions{FailureThreshold: 1, Now: clock.Now,
		OnStateChange: func(string, httpapi.BreakerState, httpapi.BreakerState) { changes.Add(1) }})
	c := httpapi.NewClient(srv.URL, "", &http.Client{Transport: b.Transport(nil)}, 0)
	_ = get(c)
	clock.Advance(10 * time.Second)

	const callers = 8
	var wg sync.WaitGroup
	var refused atomic.Int32
	for range callers {
		wg.Go(func() {
			if errors.Is(get(c), httpapi.ErrCircuitOpen) {
				if refused.Add(1) == callers-1 {
					close(release)
				}
			}
		})
	}
	wg.Wait()
	if hits.Load() != 2 || refused.Load() != callers-1 {
		t.Errorf("half-open: server hits %d (want 2), refused %d (want %d)", hits.Load(), refused.Load(), callers-1)
	}
	if changes.Load() != 3 { // closed→open, open→half-open, half-open→open
		t.Errorf("state changes = %d, want 3", changes.Load())
	}
}

func TestBreakerConcurrentUse(t *testing.T) {
	srv := newFlakyServer(t, http.StatusInternalServerError)
	clock := &fakeClock{}
	b, c := newBreakerClient(srv, clock, 5)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for range 20 {
				_ = get(c)
				if i == 0 {
					clock.Advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	if b.State() == httpapi.BreakerClosed {
		t.Errorf("a failing server left the breaker closed")
	}
	if n := srv.hits.Load(); n >= 16*20 {
		t.Errorf("server hits = %d: the breaker never failed fast", n)
	}
}

// A 429, with or without Retry-After, is back-pressure from a service that
// works: it neither opens the circuit, nor resets the count of failures,
// nor decides a half-open probe.
func TestBreakerTreats429AsBackPressure(t *testing.T) {
	var code atomic.Int32
	var withRetryAfter atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if withRetryAfter.Load() {
			w.Header().Set("Retry-After", "1")
		}
		httpapi.WriteError(w, int(code.Load()), "test", "", "status %d", code.Load())
	}))
	defer srv.Close()
	clock := &fakeClock{}
	b := httpapi.NewBreaker(httpapi.BreakerOptions{Service: "crm", FailureThreshold: 3, Now: clock.Now})
	c := httpapi.NewClient(srv.URL, "", &http.Client{Transport: b.Transport(nil)}, 0)
	call := func(status int, retryAfter bool) error {
		code.Store(int32(status))
		withRetryAfter.Store(retryAfter)
		return get(c)
	}

	for i := range 20 {
		err := call(http.StatusTooManyRequests, i%2 == 0)
		if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("429 number %d: err = %v, want the server's 429", i+1, err)
		}
	}
	if b.State() != httpapi.BreakerClosed {
		t.Fatalf("20 429s: state %v, want closed", b.State())
	}

	// 429s between failures leave the count of consecutive failures as it is.
	_ = call(http.StatusInternalServerError, false)
	_ = call(http.StatusTooManyRequests, true)
	_ = call(http.StatusInternalServerError, false)
	_ = call(http.StatusTooManyRequests, false)
	if b.State() != httpapi.BreakerClosed {
		t.Fatalf("two failures and two 429s: state %v, want closed", b.State())
	}
	_ = call(http.StatusInternalServerError, false)
	if b.State() != httpapi.BreakerOpen {
		t.Fatalf("three failures with 429s between them: state %v, want open", b.State())
	}

	// A probe answered 429 leaves the breaker half-open for the next probe.
	clock.Advance(10 * time.Second)
	if err := call(http.StatusTooManyRequests, true); errors.Is(err, httpapi.ErrCircuitOpen) {
		t.Fatalf("probe refused: %v", err)
	}
	if b.State() != httpapi.BreakerHalfOpen {
		t.Fatalf("probe answered 429: state %v, want half-open", b.State())
	}
	if err := call(http.StatusOK, false); err != nil {
		t.Fatalf("next probe: %v", err)
	}
	if b.State() != httpapi.BreakerClosed {
		t.Fatalf("probe answered 200: state %v, want closed", b.State())
	}
}
