package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// ErrCircuitOpen is wrapped by the error a Breaker returns while it refuses
// calls. It is not a *StatusError, so callers treat it as retryable.
var ErrCircuitOpen = errors.New("circuit open")

// BreakerState is where a Breaker stands.
type BreakerState int

// Breaker states.
const (
	// BreakerClosed lets every call through.
	BreakerClosed BreakerState = iota
	// BreakerOpen refuses calls until its open period ends.
	BreakerOpen
	// BreakerHalfOpen lets one probe through to decide.
	BreakerHalfOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("BreakerState(%d)", int(s))
}

// BreakerOptions configure a Breaker.
type BreakerOptions struct {
	// Service names what the breaker guards, e.g. "crm", in its errors.
	Service string
	// FailureThreshold is how many consecutive failures open the circuit
	// (default 5). Transport errors and 5xx are failures; a 429, with or
	// without Retry-After, is back-pressure from a working service and
	// counts neither way; other replies, 4xx included, are successes: the
	// service answered.
	FailureThreshold int
	// OpenFor is how long an open circuit refuses calls before one probe
	// is let through (default 10 s).
	OpenFor time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OnStateChange, when set, is called after every change of state
	// (outside the breaker's lock), e.g. to log it.
	OnStateChange func(service string, from, to BreakerState)
}

// Breaker stops calls to a service that keeps failing, so a dead CRM or
// Platform is not hammered by every retry of every activity; callers fail
// fast with ErrCircuitOpen and retry later. It is safe for concurrent use.
type Breaker struct {
	opt      BreakerOptions
	mu       sync.Mutex
	state    BreakerState
	failures int
	until    time.Time // end of the open period
	probing  bool      // a half-open probe is in flight
}

// NewBreaker returns a closed Breaker.
func NewBreaker(o BreakerOptions) *Breaker {
	if o.FailureThreshold <= 0 {
		o.FailureThreshold = 5
	}
	if o.OpenFor <= 0 {
		o.OpenFor = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Service == "" {
		o.Service = "service"
	}
	return &Breaker{opt: o}
}

// CircuitOpenError is the error of a refused call.
type CircuitOpenError struct {
	Service string
	// Until is when the breaker lets a probe through again.
	Until time.Time
	// Probing is true while a probe request is deciding whether the
	// service recovered.
	Probing bool
}

func (e *CircuitOpenError) Error() string {
	if e.Probing {
		return fmt.Sprintf("%s: %v: a probe request is checking whether it recovered; the call will be retried", e.Service, ErrCircuitOpen)
	}
	return fmt.Sprintf("%s: %v after repeated failures: not calling it until %s; the call will be retried",
		e.Service, ErrCircuitOpen, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap makes errors.Is(err, ErrCircuitOpen) hold.
func (e *CircuitOpenError) Unwrap() error { return ErrCircuitOpen }

// State reports the current state; an open breaker whose period has ended
// reports half-open.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && !b.opt.Now().Before(b.until) {
		return BreakerHalfOpen
	}
	return b.state
}

// Transport returns base (http.DefaultTransport when nil) guarded by b.
func (b *Breaker) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &breakerTransport{b: b, base: base}
}

type breakerTransport struct {
	b    *Breaker
	base http.RoundTripper
}

func (t *breakerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	probe, err := t.b.allow()
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	t.b.record(probe, outcomeOf(resp, err))
	return resp, err
}

type outcome int

const (
	success outcome = iota
	failure
	// neutral says nothing about the service's health: the caller gave
	// up, or the service asked to slow down (429). Rate limiting is normal
	// under both contracts; the caller waits it out, and counting it
	// would open the circuit on a healthy service.
	neutral
)

func outcomeOf(resp *http.Response, err error) outcome {
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return neutral
	case err != nil:
		return failure
	case resp.StatusCode == http.StatusTooManyRequests:
		return neutral
	case resp.StatusCode >= 500:
		return failure
	}
	return success
}

// allow decides whether a call may go out; probe is true for the single
// call a half-open breaker lets through.
func (b *Breaker) allow() (probe bool, err error) {
	b.mu.Lock()
	now := b.opt.Now()
	from := b.state
	switch {
	case b.state == BreakerClosed:
		b.mu.Unlock()
		return false, nil
	case b.state == BreakerOpen && now.Before(b.until):
		until := b.until
		b.mu.Unlock()
		return false, &CircuitOpenError{Service: b.opt.Service, Until: until}
	case b.probing:
		b.mu.Unlock()
		return false, &CircuitOpenError{Service: b.opt.Service, Until: now, Probing: true}
	}
	b.state, b.probing = BreakerHalfOpen, true
	b.mu.Unlock()
	b.changed(from, BreakerHalfOpen)
	return true, nil
}

// record counts the outcome of a call allow let through.
func (b *Breaker) record(probe bool, o outcome) {
	b.mu.Lock()
	from := b.state
	switch {
	case probe:
		b.probing = false
		if o == success {
			b.state, b.failures = BreakerClosed, 0
		} else if o == failure {
			b.state, b.until = BreakerOpen, b.opt.Now().Add(b.opt.OpenFor)
		}
	case b.state != BreakerClosed:
		// A call sent before the circuit opened says nothing new.
	case o == success:
		b.failures = 0
	case o == failure:
		b.failures++
		if b.failures >= b.opt.FailureThreshold {
			b.state, b.until = BreakerOpen, b.opt.Now().Add(b.opt.OpenFor)
		}
	}
	to := b.state
	b.mu.Unlock()
	if to != from {
		b.changed(from, to)
	}
}

func (b *Breaker) changed(from, to BreakerState) {
	if b.opt.OnStateChange != nil {
		b.opt.OnStateChange(b.opt.Service, from, to)
	}
}
