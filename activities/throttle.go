package activities

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/halcytone/contentgen/httpapi"
)

// throttle shapes the send window: a messages-per-second ceiling shared by
// every in-flight request, and a pause that a 429 imposes on all of them,
// not just the request that saw it.
type throttle struct {
	limiter *rate.Limiter
	max     time.Duration

	mu          sync.Mutex
	pausedUntil time.Time
	waited      time.Duration
}

func newThrottle(o SendOptions) *throttle {
	t := &throttle{max: o.MaxThrottle}
	if o.RatePerSecond > 0 {
		t.limiter = rate.NewLimiter(rate.Limit(o.RatePerSecond), max(o.PageSize, int(o.RatePerSecond)))
	}
	return t
}

// waitRate blocks until n messages may go out.
func (t *throttle) waitRate(ctx context.Context, n int) error {
	if t.limiter == nil {
		return nil
	}
	return t.limiter.WaitN(ctx, min(n, t.limiter.Burst()))
}

// pause makes every request wait d (1 s when the server gave no
// Retry-After). It reports false once the attempt has waited MaxThrottle in
// all, so the retry policy takes over.
func (t *throttle) pause(d time.Duration) bool {
	if d <= 0 {
		d = time.Second
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.waited+d > t.max {
		return false
	}
	until := time.Now().Add(d)
	if until.After(t.pausedUntil) {
		t.waited += until.Sub(maxTime(t.pausedUntil, time.Now()))
		t.pausedUntil = until
	}
	return true
}

// backPressure reports whether err is a 429 the loop waits out: it pauses
// every request for the server's Retry-After, until the attempt has waited
// MaxThrottle in all. A 429 is the CRM asking to slow down, not failing:
// it costs time, never one of a request's tries.
func (t *throttle) backPressure(err error) bool {
	return isRateLimit(err) && t.pause(retryAfter(err))
}

// isRateLimit reports whether err is a 429 reply.
func isRateLimit(err error) bool {
	se, ok := httpapi.AsStatusError(err)
	return ok && se.StatusCode == http.StatusTooManyRequests
}

func retryAfter(err error) time.Duration {
	if se, ok := httpapi.AsStatusError(err); ok {
		return se.RetryAfter
	}
	return 0
}

// waitPause blocks while a pause is in force.
func (t *throttle) waitPause(ctx context.Context) error {
	t.mu.Lock()
	until := t.pausedUntil
	t.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// requestTries is how often the send loop tries one request that fails in
// a way that may pass (a network error or timeout, 408, 409, 5xx) before
// the attempt fails and the activity's retry policy takes over. Failing
// the attempt at once would drop the whole window for one lost reply, and
// a long send on a flaky CRM would climb the policy's backoff (up to two
// minutes a try) until it ran out of attempts.
const requestTries = 5

// waitRetry waits before failed try n (counted from 1) of a request is
// made again, and reports whether it should be: the server's Retry-After,
// else 250 ms doubling, at most 5 s; false for failures a retry cannot
// mend, after requestTries, once ctx has ended, or while the circuit
// breaker refuses calls (the retry policy then waits until it half-opens).
func waitRetry(ctx context.Context, err error, n int) bool {
	if n >= requestTries || ctx.Err() != nil || errors.Is(err, httpapi.ErrCircuitOpen) {
		return false
	}
	d := min(250*time.Millisecond<<(n-1), 5*time.Second)
	if se, ok := httpapi.AsStatusError(err); ok {
		if !se.Retryable() {
			return false
		}
		if se.RetryAfter > 0 {
			d = se.RetryAfter
		}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
