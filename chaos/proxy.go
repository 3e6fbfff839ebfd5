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
	// Fault429 answers 429 with Retry-After: 1 without forwarding.
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
type Proxy struct {
	Next http.Handler
	// Rate is the share of /api/ requests that get a fault (0 to 1).
	Rate float64
	// Faults are dealt in a random order, each once per round (default:
	// every fault), so that every kind occurs once enough requests failed.
	Faults []Fault
	// Hang is how long a timeout holds a request (set it past the
	// client's timeout); Slow is the longest delay of a slow reply.
	Hang, Slow time.Duration

	mu     sync.Mutex
	rnd    *rand.Rand
	deck   []Fault
	counts map[Fault]int
}

// NewProxy returns a proxy in front of next that faults rate of the /api/
// requests, drawing from a generator seeded with seed.
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

// draw picks the fault for one request and how long a slow one waits.
func (p *Proxy) draw(r *http.Request) (Fault, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := FaultNone
	if strings.HasPrefix(r.URL.Path, "/api/") && p.rnd.Float64() < p.Rate {
		if len(p.deck) == 0 {
			p.deck = append(p.deck, p.Faults...)
			if len(p.deck) == 0 {
				p.deck = AllFaults()
			}
			p.rnd.Shuffle(len(p.deck), func(i, j int) { p.deck[i], p.deck[j] = p.deck[j], p.deck[i] })
		}
		f, p.deck = p.deck[0], p.deck[1:]
	}
	p.counts[f]++
	return f, time.Duration(p.rnd.Int64N(int64(p.Slow) + 1))
}

// ServeHTTP applies one fault to r.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, delay := p.draw(r)
	switch f {
	case Fault500:
		http.Error(w, `{"error":{"code":"internal","message":"injected fault"}}`, http.StatusInternalServerError)
	case Fault429:
		w.Header().Set("Retry-After", "1")
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
