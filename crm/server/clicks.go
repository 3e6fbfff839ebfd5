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
	Click(newsletterID string)
	Open(newsletterID string, machine bool)
	Unsubscribe(newsletterID string)
}

type noMetrics struct{}

func (noMetrics) Click(string)       {}
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

// link is a registered link (or, at position -1, an open pixel).
type link struct {
	id                          int64
	newsletter, variantKey, url string
	category                    string
	pixel                       bool
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

// resolve checks a token and returns its link and, with a recipient part,
// the delivery; nil when the token is malformed, forged, for another
// newsletter or names no link.
func (s *Server) resolve(ctx context.Context, v string, pixel bool) (*link, int64, error) {
	if s.signer == nil {
		return nil, 0, nil
	}
	t, ok := parseToken(v)
	if !ok {
		return nil, 0, nil
	}
	l, err := s.lookupLink(ctx, t.link)
	if err != nil || l == nil || l.pixel != pixel {
		return nil, 0, err
	}
	if !s.signer.verify(t.linkMAC, "link", l.newsletter, l.variantKey, strconv.FormatInt(t.link, 36)) {
		return nil, 0, nil
	}
	if !t.hasRecipient {
		return l, 0, nil
	}
	if !s.signer.verify(t.recMAC, "recipient", l.newsletter, strconv.FormatInt(t.delivery, 36)) {
		return nil, 0, nil
	}
	return l, t.delivery, nil
}

var linkNotFound = unsubscribePage{Title: "Link not recognised",
	Message: "This link is not valid. Use the link from the newsletter email you received."}

// handleClick answers a tracked link with a 302 to the URL the link was
// registered with, and counts the click. The target comes only from the
// links table: nothing in the request can choose it.
func (s *Server) handleClick(w http.ResponseWriter, r *http.Request, tok string) {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" || strings.ContainsAny(tok, "/\\%") {
		s.renderPage(w, http.StatusNotFound, linkNotFound)
		return
	}
	l, delivery, err := s.resolve(r.Context(), tok, false)
	if err != nil {
		s.log.Error("tracked link", "err", err)
		http.Error(w, "Something went wrong; please try again later.", http.StatusInternalServerError)
		return
	}
	if l == nil || !trackable(l.url, "") {
		s.renderPage(w, http.StatusNotFound, linkNotFound)
		return
	}
	// HEAD is a link checker looking, not a reader clicking.
	if s.cfg.Tracking.on() && r.Method == http.MethodGet {
		s.tally.click(l, delivery, s.visitor(r), time.Now())
		s.metrics.Click(l.newsletter)
	}
	h := w.Header()
	h.Set("Location", l.url)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusFound)
}

// pixelGIF is a transparent 1×1 GIF.
var pixelGIF = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// handleOpen serves the open pixel and counts the open, set apart as a
// machine open when a privacy proxy fetched it or it came within a second
// of sending.
func (s *Server) handleOpen(w http.ResponseWriter, r *http.Request) {
	l, delivery, err := s.resolve(r.Context(), r.PathValue("token"), true)
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
		s.tally.open(l.newsletter, delivery, machine, s.visitor(r), now)
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

// visitor is an anonymous daily ID of the client: a hash of its address
// and user agent under a salt that lives in memory for one UTC day, so
// the same client counts once a day and cannot be traced afterwards. It
// is kept only in aggregate mode.
func (s *Server) visitor(r *http.Request) string {
	if s.cfg.Tracking.Mode != TrackingAggregate {
		return ""
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	salt := s.tally.salt(time.Now())
	ua := r.UserAgent()
	buf := make([]byte, 0, len(salt)+len(host)+len(ua)+1)
	buf = append(append(append(append(buf, salt...), host...), 0), ua...)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:10])
}

// tally holds counts between writes: clicks and opens are counted in
// memory and written every tallyInterval in one transaction, so a burst of
// clicks costs the database a handful of statements a second.
type tally struct {
	s       *Server
	mu      sync.Mutex
	day     string
	daySalt []byte
	clicks  map[clickKey]int
	opens   map[openKey]int
	seen    map[visitorKey]struct{}
	recClk  []recipientEvent
	recOpen []recipientEvent
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

type visitorKey struct{ newsletter, scope, visitor string }

type recipientEvent struct {
	link, delivery int64
	machine        bool
	at             int64
}

func newTally(s *Server) *tally {
	return &tally{s: s, clicks: map[clickKey]int{}, opens: map[openKey]int{}, seen: map[visitorKey]struct{}{}}
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

func (t *tally) click(l *link, delivery int64, visitor string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clicks[clickKey{l.id, dayOf(now)}]++
	if visitor != "" {
		t.seen[visitorKey{l.newsletter, scopeClick, visitor}] = struct{}{}
		if l.category != "" {
			t.seen[visitorKey{l.newsletter, scopeClick + ":" + l.category, visitor}] = struct{}{}
		}
	}
	if delivery > 0 {
		t.recClk = append(t.recClk, recipientEvent{link: l.id, delivery: delivery, at: now.UnixMilli()})
	}
}

func (t *tally) open(newsletter string, delivery int64, machine bool, visitor string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.opens[openKey{newsletter, dayOf(now), machine}]++
	if visitor != "" && !machine {
		t.seen[visitorKey{newsletter, scopeOpen, visitor}] = struct{}{}
	}
	if delivery > 0 {
		t.recOpen = append(t.recOpen, recipientEvent{delivery: delivery, machine: machine, at: now.UnixMilli()})
	}
}

// take empties the tally and returns what it held.
func (t *tally) take() *tally {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := &tally{clicks: t.clicks, opens: t.opens, seen: t.seen, recClk: t.recClk, recOpen: t.recOpen}
	t.clicks, t.opens, t.seen, t.recClk, t.recOpen = map[clickKey]int{}, map[openKey]int{}, map[visitorKey]struct{}{}, nil, nil
	return out
}

// restore adds counts a failed write took back into the tally.
func (t *tally) restore(b *tally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, n := range b.clicks {
		t.clicks[k] += n
	}
	for k, n := range b.opens {
		t.opens[k] += n
	}
	for k := range b.seen {
		t.seen[k] = struct{}{}
	}
	t.recClk = append(t.recClk, b.recClk...)
	t.recOpen = append(t.recOpen, b.recOpen...)
}

func (t *tally) empty() bool {
	return len(t.clicks) == 0 && len(t.opens) == 0 && len(t.seen) == 0 && len(t.recClk) == 0 && len(t.recOpen) == 0
}

// flush writes what the tally holds; on failure the counts stay for the
// next write.
func (t *tally) flush(ctx context.Context) error {
	t.writing.Lock()
	defer t.writing.Unlock()
	b := t.take()
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
	for k, n := range b.opens {
		if _, err := tx.ExecContext(ctx, `INSERT INTO open_counts (newsletter_id, day, machine, opens) VALUES ($1, $2, $3, $4)
			ON CONFLICT (newsletter_id, day, machine) DO UPDATE SET opens = open_counts.opens + excluded.opens`, k.newsletter, k.day, k.machine, n); err != nil {
			return fmt.Errorf("write opens: %w", err)
		}
	}
	for k := range b.seen {
		if _, err := tx.ExecContext(ctx, `INSERT INTO visitors (newsletter_id, scope, visitor) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			k.newsletter, k.scope, k.visitor); err != nil {
			return fmt.Errorf("write visitors: %w", err)
		}
	}
	for _, e := range b.recClk {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_clicks (link_id, delivery_id, clicked_at)
			SELECT $1, id, $2 FROM deliveries WHERE id = $3`, e.link, e.at, e.delivery); err != nil {
			return fmt.Errorf("write recipient clicks: %w", err)
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
