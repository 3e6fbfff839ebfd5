// Package fake serves in-memory stand-ins for the social networks' APIs —
// Mastodon, Bluesky, X and LinkedIn — shaped like the real ones: the same
// paths, request and response bodies, error bodies, rate-limit headers and
// token expiry. Tests run the real clients against them, and inject faults
// (5xx, 429, a reply lost after the post was made, an expired token) to
// check retries and exactly-once posting. cmd/socialfake serves them for
// the demo.
package fake

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one request a fake received.
type Request struct {
	Method string
	Path   string
	Header http.Header
}

// fault is what the next create request meets instead of success.
type fault struct {
	status int
	header http.Header
	body   any
	// drop makes the post, then closes the connection without a reply:
	// the request was sent, the reply is lost.
	drop bool
	// hold makes the post, then never replies: the caller waits until it
	// gives up or dies, as when a worker is killed mid-request.
	hold bool
}

// base holds what every fake shares: the lock, the request log and the
// queue of faults for post-creating requests.
type base struct {
	mu       sync.Mutex
	requests []Request
	faults   []fault
	seq      int
}

func (b *base) logRequest(r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = append(b.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
}

// Requests returns the requests received so far.
func (b *base) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Request(nil), b.requests...)
}

// CountRequests returns how many requests had method and path.
func (b *base) CountRequests(method, path string) int {
	n := 0
	for _, r := range b.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// DropNextReply makes the next post, then closes the connection before
// replying, as when a worker dies after sending.
func (b *base) DropNextReply() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = append(b.faults, fault{drop: true})
}

// HoldNextReply makes the next post, then keeps the request open without
// a reply until the caller goes away, so a test can kill the caller after
// the post exists.
func (b *base) HoldNextReply() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = append(b.faults, fault{drop: true, hold: true})
}

// nextFault pops the next fault, if any. Callers hold no lock.
func (b *base) nextFault() (fault, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.faults) == 0 {
		return fault{}, false
	}
	f := b.faults[0]
	b.faults = b.faults[1:]
	return f, true
}

func (b *base) queue(n int, f fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range n {
		b.faults = append(b.faults, f)
	}
}

func (b *base) nextID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	return b.seq
}

// serveFault writes f's reply; for a drop it closes the connection, for a
// hold it waits for the caller to go away first.
func serveFault(w http.ResponseWriter, r *http.Request, f fault) {
	if f.hold {
		<-r.Context().Done()
	}
	if f.drop {
		dropConnection(w)
		return
	}
	for k, v := range f.header {
		w.Header()[k] = v
	}
	writeJSON(w, f.status, f.body)
}

// dropConnection closes the client's connection without a reply.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return t
	}
	return ""
}

// unixIn is the Unix time d from now, as rate-limit reset headers give it.
func unixIn(d time.Duration) string {
	return strconv.FormatInt(time.Now().Add(d).Unix(), 10)
}

// Journal is an in-memory social.Journal: it remembers every intent for
// as long as it lives, as a durable journal would across a crash.
type Journal struct {
	mu   sync.Mutex
	keys map[string]bool
}

// Intend implements social.Journal.
func (j *Journal) Intend(_ context.Context, key string) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.keys == nil {
		j.keys = map[string]bool{}
	}
	earlier := j.keys[key]
	j.keys[key] = true
	return earlier, nil
}
