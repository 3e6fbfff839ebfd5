// Package httpretry is an http.RoundTripper for the document APIs the sources
// call: it paces requests with a rate limiter and retries the answers that
// ask a client to come back later (429, or 503 with Retry-After), waiting as
// long as Retry-After says.
package httpretry

import (
	"context"
	"io"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/halcytone/contentgen/internal/retryafter"
)

// Defaults used when a Transport field is zero.
const (
	DefaultMaxWait = 30 * time.Second
	DefaultBackoff = time.Second
)

// Transport retries throttled requests. The zero value sends every request
// once through http.DefaultTransport.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Limiter paces every attempt, retries included; nil means no pacing.
	Limiter *rate.Limiter
	// MaxRetries is how many times a throttled request is sent again.
	MaxRetries int
	// MaxWait bounds one wait. An answer asking for a longer wait is
	// returned as it is, so the caller's own (durable) retry takes over.
	MaxWait time.Duration
	// Backoff is the first wait when a 429 carries no Retry-After; it
	// doubles on each retry.
	Backoff time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		if t.Limiter != nil {
			if err := t.Limiter.Wait(ctx); err != nil {
				return nil, err
			}
		}
		out, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.base().RoundTrip(out)
		if err != nil || attempt >= t.MaxRetries || !replayable(req) {
			return resp, err
		}
		wait, ok := t.wait(resp, attempt)
		if !ok {
			return resp, nil
		}
		discard(resp)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// wait says how long to wait before sending the request again, and whether
// to retry at all.
func (t *Transport) wait(resp *http.Response, attempt int) (time.Duration, bool) {
	after, hasAfter := retryafter.Header(resp.Header, time.Now())
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
	case resp.StatusCode == http.StatusServiceUnavailable && hasAfter:
	default:
		return 0, false
	}
	if !hasAfter {
		backoff := t.Backoff
		if backoff <= 0 {
			backoff = DefaultBackoff
		}
		after = backoff << attempt
	}
	maxWait := t.MaxWait
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	return after, after <= maxWait
}

// replayable reports whether the request body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// rewind returns the request to send for an attempt; a retry gets a fresh
// body so the original request is never changed.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 0 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.Body = body
	return out, nil
}

// discard drains a little of an answer that will not be used, so its
// connection can be reused, and closes it.
func discard(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
	_ = resp.Body.Close()
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
