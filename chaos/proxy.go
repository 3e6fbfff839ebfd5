// Package chaos holds the send's fault tests — a worker killed mid-send,
// the Temporal server restarted, a CRM that fails in every way HTTP can —
// and the fault-injecting proxy they put in front of the reference CRM.
// After every fault, each recipient must be in the delivery log exactly
// once.
package chaos

import (
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault is what the proxy does to one request.
type Fault string

// Faults the proxy injects.
const (
	// FaultNone forwards the request untouched.
	FaultNone Fault = "none"
	// Fault500 answers 500 without forwarding.
	Fault500 Fault = "500"
	// Fault429 answers 429 with Retry-After: 1 without forwarding (see
	// also Proxy.RateLimit).
	Fault429 Fault = "429"
	// FaultTimeout holds the request past the client's timeout, then
	// drops the connection; nothing is forwarded.
	FaultTimeout Fault = "timeout"
	// FaultReset resets the connection (TCP RST) without forwarding.
	FaultReset Fault = "reset"
	// FaultLostReply forwards the request, so the CRM applies it, then
	// resets the connection instead of replying: the client cannot tell
	// whether it worked.
	FaultLostReply Fault = "lost-reply"
	// FaultSlow forwards the request after a delay.
	FaultSlow Fault = "slow"
)

// Proxy injects faults in front of a handler. Requests outside /api/ and
// requests it decides to spare reach Next untouched.
//
// The faults follow a schedule drawn from a seed, so a run can be
// repeated: the first 2×len(Faults) /api/ requests carry every fault once,
// at every other request in a shuffled order, so each kind occurs however
// few requests a send makes; after them, Rate of the requests get a fault,
// dealt from shuffled rounds of Faults. Which request meets which fault
// still depends on the order concurrent requests arrive in; how many of
// each kind there are does not.
type Proxy struct {
	Next http.Handler
	// Rate is the share of /api/ requests after the guaranteed ones that
	// get a fault (0 to 1).
	Rate float64
	// Faults are the kinds injected (default: every fault).
	Faults []Fault
	// Hang is how long a timeout holds a request (set it past the
	// client's timeout); Slow is the longest delay of a slow reply.
	Hang, Slow time.Duration

	mu         sync.Mutex
	rnd        *rand.Rand
	api        int // /api/ requests seen
	guaranteed []Fault
	deck       []Fault
	counts     map[Fault]int
	limitAt    int
	limitFor   time.Duration
	limitStart time.Time
}

// NewProxy returns a proxy in front of next that faults rate of the /api/
// requests, on a schedule drawn from seed.
func NewProxy(next http.Handler, rate float64, seed uint64) *Proxy {
	return &Proxy{Next: next, Rate: rate, Hang: 3 * time.Second, Slow: 800 * time.Millisecond,
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counts: map[Fault]int{}}
}

// AllFaults are the faults a proxy injects by default.
func AllFaults() []Fault {
	return []Fault{Fault500, Fault429, FaultTimeout, FaultReset, FaultLostReply, FaultSlow}
}

// Counts returns how often each fault was injected.
func (p *Proxy) Counts() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Fault]int, len(p.counts))
	for f, n := range p.counts {
		out[f] = n
	}
	return out
}

// RateLimit makes the proxy answer every /api/ request with 429 for d,
// from its nth /api/ request on (counted from 0), half the time with
// Retry-After: 1 and half without: a stretch of rate limiting in the
// middle of a send, counted as Fault429.
func (p *Proxy) RateLimit(n int, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limitAt, p.limitFor = n, d
}

// RateLimitedSince is when the stretch of 429s began (zero before).
func (p *Proxy) RateLimitedSince() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.limitStart
}

// limited reports whether a request now falls in the stretch of 429s, and
// the Retry-After to send.
func (p *Proxy) limited() (bool, string) {
	if p.limitFor <= 0 || p.api < p.limitAt {
		return false, ""
	}
	now := time.Now()
	if p.limitStart.IsZero() {
		p.limitStart = now
	}
	if now.Sub(p.limitStart) >= p.limitFor {
		return false, ""
	}
	if p.counts[Fault429]%2 == 0 {
		return true, "1"
	}
	return true, ""
}

func (p *Proxy) faults() []Fault {
	if len(p.Faults) > 0 {
		return p.Faults
	}
	return AllFaults()
}

// draw picks the fault for one request, how long a slow one waits, and the
// Retry-After of a 429.
func (p *Proxy) draw(r *http.Request) (Fault, time.Duration, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		p.counts[FaultNone]++
		return FaultNone, 0, ""
	}
	if limited, retryAfter := p.limited(); limited {
		p.api++
		p.counts[Fault429]++
		return Fault429, 0, retryAfter
	}
	if p.guaranteed == nil {
		p.guaranteed = p.shuffled()
	}
	f := FaultNone
	switch i := p.api; {
	case i < 2*len(p.guaranteed):
		if i%2 == 1 {
			f = p.guaranteed[i/2]
		}
	case p.rnd.Float64() < p.Rate:
		if len(p.deck) == 0 {
			p.deck = p.shuffled()
		}
		f, p.deck = p.deck[0], p.deck[1:]
	}
	p.api++
	p.counts[f]++
	return f, time.Duration(p.rnd.Int64N(int64(p.Slow) + 1)), "1"
}

// shuffled is one round of the faults in a random order.
func (p *Proxy) shuffled() []Fault {
	deck := append([]Fault(nil), p.faults()...)
	p.rnd.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	return deck
}

// ServeHTTP applies one fault to r.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, delay, retryAfter := p.draw(r)
	switch f {
	case Fault500:
		http.Error(w, `{"error":{"code":"internal","message":"injected fault"}}`, http.StatusInternalServerError)
	case Fault429:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, `{"error":{"code":"rate_limited","message":"injected fault"}}`, http.StatusTooManyRequests)
	case FaultTimeout:
		select {
		case <-time.After(p.Hang):
		case <-r.Context().Done():
		}
		reset(w)
	case FaultReset:
		reset(w)
	case FaultLostReply:
		p.Next.ServeHTTP(httptest.NewRecorder(), r)
		reset(w)
	case FaultSlow:
		select {
		case <-time.After(delay):
			p.Next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	default:
		p.Next.ServeHTTP(w, r)
	}
}

// reset closes the client's connection with a TCP RST.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "chaos proxy: this server cannot reset connections", http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
