package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts what readers do with an edition. Config.Metrics, when
// set, is told of every click, open and unsubscribe as it happens.
type Metrics interface {
	Click(newsletterID string, machine bool)
	Open(newsletterID string, machine bool)
	Unsubscribe(newsletterID string)
}

type noMetrics struct{}

func (noMetrics) Click(string, bool) {}
func (noMetrics) Open(string, bool)  {}
func (noMetrics) Unsubscribe(string) {}

// Visitor scopes of the visitors table.
const (
	scopeClick = "click"
	scopeOpen  = "open"
)

// today caches the UTC day clicks are counted under.
var today atomic.Pointer[struct {
	num int64
	day string
}]

// dayOf is utcDay(now), formatted once a day.
func dayOf(now time.Time) string {
	n := now.Unix() / 86400
	if c := today.Load(); c != nil && c.num == n {
		return c.day
	}
	d := utcDay(now)
	today.Store(&struct {
		num int64
		day string
	}{n, d})
	return d
}

// tallyInterval is how often counted clicks and opens are written.
const tallyInterval = time.Second

// link is a registered link (or, at position -1, an open pixel), with
// what answering a click on it needs made once.
type link struct {
	id                          int64
	newsletter, variantKey, url string
	category                    string
	pixel                       bool
	// location is the Location header of the redirect; ok is false when
	// the URL may not be redirected to.
	location []string
	ok       bool
	// sectionScope is the visitors scope of the link's section.
	sectionScope string
}

// lookupLink returns a registered link; nil when there is none.
func (s *Server) lookupLink(ctx context.Context, id int64) (*link, error) {
	if l := s.links.get(id); l != nil {
		return l, nil
	}
	l := &link{id: id}
	var pos int
	err := s.db.QueryRowContext(ctx, `SELECT newsletter_id, variant_key, position, url, category FROM links WHERE id = $1`, id).
		Scan(&l.newsletter, &l.variantKey, &pos, &l.url, &l.category)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up link %d: %w", id, err)
	}
	l.pixel = pos < 0
	l.location, l.ok = []string{l.url}, !l.pixel && trackable(l.url, "")
	if l.category != "" {
		l.sectionScope = scopeClick + ":" + l.category
	}
	s.links.put(id, l)
	return l, nil
}

// linkCache keeps registered links by ID. Links never change, so entries
// never go stale; it is emptied when full.
type linkCache struct {
	mu   sync.RWMutex
	max  int
	byID map[int64]*link
}

func newLinkCache(max int) *linkCache { return &linkCache{max: max, byID: map[int64]*link{}} }

func (c *linkCache) get(id int64) *link {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.byID[id]
}

func (c *linkCache) put(id int64, l *link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byID) >= c.max {
		clear(c.byID)
	}
	c.byID[id] = l
}

// resolve checks a token and returns its link and the token; nil when the
// token is malformed, forged, for another newsletter or names no link.
func (s *Server) resolve(ctx context.Context, v string, pixel bool) (*link, token, error) {
	if s.signer == nil {
		return nil, token{}, nil
	}
	t, ok := parseToken(v)
	if !ok {
		return nil, t, nil
	}
	l, err := s.lookupLink(ctx, t.link)
	if err != nil || l == nil || l.pixel != pixel {
		return nil, t, err
	}
	if !s.signer.verify(t.linkMAC, linkMsg(l.newsletter, l.variantKey, t.link)) {
		return nil, t, nil
	}
	if t.hasRecipient && !s.signer.verify(t.recMAC, recipientMsg(l.newsletter, t.delivery)) {
		return nil, t, nil
	}
	return l, t, nil
}

var linkNotFound = unsubscribePage{Title: "Link not recognised",
	Message: "This link is not valid. Use the link from the newsletter email you received."}

var (
	headerNoStore    = []string{"no-store"}
	headerNoReferrer = []string{"no-referrer"}
)

// handleClick answers a tracked link with a 302 to the URL the link was
// registered with, and counts the click, apart as a machine click when a
// link scanner made it (see machineClick and the burst rule of tally).
// The target comes only from the links table: nothing in the request can
// choose it.
func (s *Server) handleClick(w http.ResponseWriter, r *http.Request, tok string) {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" || strings.ContainsAny(tok, "/\\%") {
		s.renderPage(w, http.StatusNotFound, linkNotFound)
		return
	}
	l, t, err := s.resolve(r.Context(), tok, false)
	if err != nil {
		s.log.Error("tracked link", "err", err)
		http.Error(w, "Something went wrong; please try again later.", http.StatusInternalServerError)
		return
	}
	if l == nil || !l.ok {
		s.renderPage(w, http.StatusNotFound, linkNotFound)
		return
	}
	if s.cfg.Tracking.on() {
		now := time.Now()
		machine := r.Method == http.MethodHead || machineClick(r.UserAgent(), t.sent, now)
		machine = s.tally.click(l, t.delivery, s.visitor(r, now), machine, now)
		s.metrics.Click(l.newsletter, machine)
	}
	h := w.Header()
	h["Location"] = l.location
	h["Cache-Control"] = headerNoStore
	h["Referrer-Policy"] = headerNoReferrer
	w.WriteHeader(http.StatusFound)
}

// pixelGIF is a transparent 1×1 GIF.
var pixelGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// handleOpen serves the open pixel and counts the open, set apart as a
// machine open when a privacy proxy fetched it or it came within a second
// of sending.
func (s *Server) handleOpen(w http.ResponseWriter, r *http.Request) {
	l, t, err := s.resolve(r.Context(), r.PathValue("token"), true)
	if err != nil {
		s.log.Error("open pixel", "err", err)
	}
	if l == nil {
		http.NotFound(w, r)
		return
	}
	if s.cfg.Tracking.on() {
		now := time.Now()
		sent, _ := strconv.ParseInt(r.PathValue("sent"), 36, 64)
		machine := machineOpen(r.UserAgent(), sent, now)
		s.tally.open(l.newsletter, t.delivery, machine, s.visitor(r, now), now)
		s.metrics.Open(l.newsletter, machine)
	}
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, private")
	_, _ = w.Write(pixelGIF)
}

// machineUserAgents are parts of the user agents of image proxies that
// fetch images for a mailbox rather than for a reader's eyes.
var machineUserAgents = []string{"GoogleImageProxy", "YahooMailProxy", "ggpht.com", "Yahoo! Slurp", "BingPreview", "proofpoint", "Barracuda", "Mimecast"}

// machineOpen classifies a pixel load. Apple Mail Privacy Protection
// prefetches with the bare user agent "Mozilla/5.0"; an empty one is a
// program too; a load within a second of sending is no person reading.
func machineOpen(userAgent string, sentUnix int64, now time.Time) bool {
	ua := strings.TrimSpace(userAgent)
	if ua == "" || ua == "Mozilla/5.0" {
		return true
	}
	for _, m := range machineUserAgents {
		if strings.Contains(ua, m) {
			return true
		}
	}
	return sentUnix > 0 && now.Unix()-sentUnix <= 1
}

// scannerUserAgents are parts (matched without regard to case) of the user
// agents of mail security gateways and other programs that follow links
// to check them: Microsoft Defender Safe Links, Proofpoint URL Defense,
// Mimecast, Barracuda, and the HTTP libraries such scanners are built on.
var scannerUserAgents = []string{"safelinks", "microsoft defender", "proofpoint", "ppops-", "mimecast", "barracuda",
	"bingpreview", "python-requests", "python-urllib", "go-http-client", "curl/", "wget/", "headlesschrome",
	"bot/", "bot;", "spider", "crawler", "scanner"}

// scannerWindow is how soon after sending a click is taken for a scanner
// checking the message on its way in: no reader opens, reads and clicks
// in two seconds.
const scannerWindow = 2

// machineClick classifies a click by itself: no user agent, a scanner's,
// or within scannerWindow seconds of sending (sentUnix 0: unknown).
func machineClick(userAgent string, sentUnix int64, now time.Time) bool {
	ua := strings.TrimSpace(userAgent)
	if ua == "" || ua == "Mozilla/5.0" {
		return true
	}
	for _, m := range scannerUserAgents {
		if containsFold(ua, m) {
			return true
		}
	}
	return sentUnix > 0 && now.Unix()-sentUnix <= scannerWindow
}

// containsFold reports whether lower (lower case ASCII) is in s, ignoring
// case, without allocating.
func containsFold(s, lower string) bool {
	for i := 0; i+len(lower) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(lower)], lower) {
			return true
		}
	}
	return false
}

// visitorID is an anonymous daily ID of a client (see Server.visitor); the
// zero value is none.
type visitorID [10]byte

func (v visitorID) String() string { return hex.EncodeToString(v[:]) }

// visitor is an anonymous daily ID of the client: a hash of its address
// and user agent under a salt that lives in memory for one UTC day, so
// the same client counts once a day and cannot be traced afterwards. It
// is kept only in aggregate mode (zero otherwise).
func (s *Server) visitor(r *http.Request, now time.Time) visitorID {
	var v visitorID
	if s.cfg.Tracking.Mode != TrackingAggregate {
		return v
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	h := sha256.New()
	h.Write(s.tally.salt(now))
	h.Write([]byte(host))
	h.Write([]byte{0})
	h.Write([]byte(r.UserAgent()))
	var sum [sha256.Size]byte
	copy(v[:], h.Sum(sum[:0]))
	return v
}

// tally holds counts between writes: clicks and opens are counted in
// memory and written every tallyInterval in one transaction, so a burst of
// clicks costs the database a handful of statements a second.
type tally struct {
	s       *Server
	mu      sync.Mutex
	day     string
	daySalt []byte
	// clicks and machine count readers' and machines' clicks; a count may
	// be negative when a burst moved clicks already written.
	clicks  map[clickKey]int
	machine map[clickKey]int
	opens   map[openKey]int
	seen    map[visitorKey]struct{}
	recClk  []recipientEvent
	recOpen []recipientEvent
	// fixes are recipients' clicks to mark as machine clicks once written.
	fixes  []burstFix
	bursts map[burstKey]*burst
	// writing serialises writes, so counts reach the database in order.
	writing sync.Mutex
}

type clickKey struct {
	link int64
	day  string
}

type openKey struct {
	newsletter, day string
	machine         bool
}

type visitorKey struct {
	newsletter, scope string
	visitor           visitorID
}

type recipientEvent struct {
	link, delivery int64
	machine        bool
	at             int64
}

// The burst rule: a client (a delivery with individual tracking, else a
// daily visitor) that clicks burstLinks different links of one newsletter
// within burstWindow is a scanner following every link of the message.
// Its clicks of that window, and the ones it makes until it pauses for a
// burstWindow, are machine clicks.
const (
	burstLinks  = 3
	burstWindow = time.Second
)

type burstKey struct {
	newsletter string
	delivery   int64
	visitor    visitorID
}

// burst is a client's clicks of the current window: its first click, its
// last, and the readers' clicks counted so far (at most burstLinks-1
// links before the window turns machine).
type burst struct {
	start, last int64
	machine     bool
	links       [burstLinks - 1]clickKey
	counts      [burstLinks - 1]int
	n           int
}

type burstFix struct {
	delivery, from int64
}

func newTally(s *Server) *tally {
	t := &tally{s: s}
	t.reset()
	return t
}

func (t *tally) reset() {
	t.clicks, t.machine, t.opens, t.seen = map[clickKey]int{}, map[clickKey]int{}, map[openKey]int{}, map[visitorKey]struct{}{}
	t.recClk, t.recOpen, t.fixes = nil, nil, nil
}

func (t *tally) salt(now time.Time) []byte {
	day := dayOf(now)
	t.mu.Lock()
	defer t.mu.Unlock()
	if day != t.day {
		t.day, t.daySalt = day, make([]byte, 32)
		_, _ = rand.Read(t.daySalt)
	}
	return t.daySalt
}

// click counts a click and returns whether it was counted as a machine
// click: machine when the click itself looked like one, or when it makes
// or continues a burst.
func (t *tally) click(l *link, delivery int64, visitor visitorID, machine bool, now time.Time) bool {
	k := clickKey{l.id, dayOf(now)}
	at := now.UnixMilli()
	t.mu.Lock()
	defer t.mu.Unlock()
	if delivery > 0 || visitor != (visitorID{}) {
		machine = t.burst(burstKey{l.newsletter, delivery, visitor}, k, delivery, at, machine)
	}
	if machine {
		t.machine[k]++
	} else {
		t.clicks[k]++
		if visitor != (visitorID{}) {
			t.seen[visitorKey{l.newsletter, scopeClick, visitor}] = struct{}{}
			if l.sectionScope != "" {
				t.seen[visitorKey{l.newsletter, l.sectionScope, visitor}] = struct{}{}
			}
		}
	}
	if delivery > 0 {
		t.recClk = append(t.recClk, recipientEvent{link: l.id, delivery: delivery, machine: machine, at: at})
	}
	return machine
}

// burst applies the burst rule to a click of bk on k at (ms) and returns
// whether the click is a machine click. When a window turns machine, the
// readers' clicks it had counted move to the machine counts.
func (t *tally) burst(bk burstKey, k clickKey, delivery, at int64, machine bool) bool {
	if t.bursts == nil {
		t.bursts = map[burstKey]*burst{}
	}
	window := burstWindow.Milliseconds()
	b := t.bursts[bk]
	switch {
	case b == nil:
		b = &burst{start: at}
		t.bursts[bk] = b
	case b.machine && at-b.last <= window:
		b.last = at
		return true
	case at-b.start > window:
		*b = burst{start: at}
	}
	b.last = at
	if machine {
		return true
	}
	for i := range b.n {
		if b.links[i] == k {
			b.counts[i]++
			return false
		}
	}
	if b.n < len(b.links) {
		b.links[b.n], b.counts[b.n] = k, 1
		b.n++
		return false
	}
	// The burstLinks-th link within the window.
	b.machine = true
	for i := range b.n {
		t.clicks[b.links[i]] -= b.counts[i]
		t.machine[b.links[i]] += b.counts[i]
	}
	if delivery > 0 {
		t.fixes = append(t.fixes, burstFix{delivery: delivery, from: b.start})
	}
	return true
}

func (t *tally) open(newsletter string, delivery int64, machine bool, visitor visitorID, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.opens[openKey{newsletter, dayOf(now), machine}]++
	if visitor != (visitorID{}) && !machine {
		t.seen[visitorKey{newsletter, scopeOpen, visitor}] = struct{}{}
	}
	if delivery > 0 {
		t.recOpen = append(t.recOpen, recipientEvent{delivery: delivery, machine: machine, at: now.UnixMilli()})
	}
}

// take empties the tally and returns what it held; bursts that ended
// are forgotten.
func (t *tally) take(now time.Time) *tally {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := &tally{clicks: t.clicks, machine: t.machine, opens: t.opens, seen: t.seen, recClk: t.recClk, recOpen: t.recOpen, fixes: t.fixes}
	t.reset()
	for k, b := range t.bursts {
		if now.UnixMilli()-b.last > burstWindow.Milliseconds() {
			delete(t.bursts, k)
		}
	}
	return out
}

// restore adds counts a failed write took back into the tally.
func (t *tally) restore(b *tally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, n := range b.clicks {
		t.clicks[k] += n
	}
	for k, n := range b.machine {
		t.machine[k] += n
	}
	for k, n := range b.opens {
		t.opens[k] += n
	}
	for k := range b.seen {
		t.seen[k] = struct{}{}
	}
	t.recClk = append(b.recClk, t.recClk...)
	t.recOpen = append(b.recOpen, t.recOpen...)
	t.fixes = append(b.fixes, t.fixes...)
}

func (t *tally) empty() bool {
	return len(t.clicks) == 0 && len(t.machine) == 0 && len(t.opens) == 0 && len(t.seen) == 0 &&
		len(t.recClk) == 0 && len(t.recOpen) == 0 && len(t.fixes) == 0
}

// flush writes what the tally holds; on failure the counts stay for the
// next write.
func (t *tally) flush(ctx context.Context) error {
	t.writing.Lock()
	defer t.writing.Unlock()
	b := t.take(time.Now())
	if b.empty() {
		return nil
	}
	if err := t.s.writeTally(ctx, b); err != nil {
		t.restore(b)
		return err
	}
	return nil
}

func (s *Server) writeTally(ctx context.Context, b *tally) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write clicks: %w", err)
	}
	defer tx.Rollback()
	for k, n := range b.clicks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO link_clicks (link_id, day, clicks) VALUES ($1, $2, $3)
			ON CONFLICT (link_id, day) DO UPDATE SET clicks = link_clicks.clicks + excluded.clicks`, k.link, k.day, n); err != nil {
			return fmt.Errorf("write clicks: %w", err)
		}
	}
	for k, n := range b.machine {
		if _, err := tx.ExecContext(ctx, `INSERT INTO link_machine_clicks (link_id, day, clicks) VALUES ($1, $2, $3)
			ON CONFLICT (link_id, day) DO UPDATE SET clicks = link_machine_clicks.clicks + excluded.clicks`, k.link, k.day, n); err != nil {
			return fmt.Errorf("write machine clicks: %w", err)
		}
	}
	for k, n := range b.opens {
		if _, err := tx.ExecContext(ctx, `INSERT INTO open_counts (newsletter_id, day, machine, opens) VALUES ($1, $2, $3, $4)
			ON CONFLICT (newsletter_id, day, machine) DO UPDATE SET opens = open_counts.opens + excluded.opens`, k.newsletter, k.day, k.machine, n); err != nil {
			return fmt.Errorf("write opens: %w", err)
		}
	}
	for k := range b.seen {
		if _, err := tx.ExecContext(ctx, `INSERT INTO visitors (newsletter_id, scope, visitor) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			k.newsletter, k.scope, k.visitor.String()); err != nil {
			return fmt.Errorf("write visitors: %w", err)
		}
	}
	for _, e := range b.recClk {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_clicks (link_id, delivery_id, clicked_at, machine)
			SELECT $1, id, $2, $3 FROM deliveries WHERE id = $4`, e.link, e.at, e.machine, e.delivery); err != nil {
			return fmt.Errorf("write recipient clicks: %w", err)
		}
	}
	for _, f := range b.fixes {
		if _, err := tx.ExecContext(ctx, `UPDATE recipient_clicks SET machine = $1 WHERE delivery_id = $2 AND clicked_at >= $3`,
			true, f.delivery, f.from); err != nil {
			return fmt.Errorf("mark machine clicks: %w", err)
		}
	}
	for _, e := range b.recOpen {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_opens (delivery_id, machine, opened_at)
			SELECT id, $1, $2 FROM deliveries WHERE id = $3`, e.machine, e.at, e.delivery); err != nil {
			return fmt.Errorf("write recipient opens: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write clicks: commit: %w", err)
	}
	return nil
}

// tallyLoop writes counts every tallyInterval until ctx ends, then once
// more.
func (s *Server) tallyLoop(ctx context.Context) {
	tick := time.NewTicker(tallyInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := s.tally.flush(wctx); err != nil {
				s.log.Error("write clicks and opens at shutdown; these counts are lost", "err", err)
			}
			cancel()
			return
		case <-tick.C:
			if err := s.tally.flush(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("write clicks and opens; retrying", "err", err)
			}
		}
	}
}
