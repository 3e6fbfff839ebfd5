package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

const testTrackingKey = "tracking-test-key-0123456789"

// sectionVariant is an edition as the renderer marks it: each section in
// an element carrying data-section, links inside and outside sections.
var sectionVariant = crm.Variant{
	ID:      "all",
	Subject: "Edition for {{first_name}}",
	HTML: `<html><body><a href="https://halcytone.example/updates/w49" style="color:#52606d">View in your browser</a>` +
		`<div data-section="breathscape"><h2>Breathscape</h2><p>Read the <a href="https://halcytone.example/releases/2-4?a=1&amp;b=2">release notes</a>.</p>` +
		`<div><p>Nested block</p></div><p><a href="mailto:hi@halcytone.example">Write to us</a> or <a href="tel:+441234567">call</a>.</p></div>` +
		`<div data-section="tips"><p><a href="https://example.org/tip" title="A &quot;tip&quot;">The tip</a></p></div>` +
		`<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p></body></html>`,
	Text: "Hi {{first_name}}. Read the release notes (https://halcytone.example/releases/2-4?a=1&b=2).\nThe tip: https://example.org/tip.\nElsewhere: https://other.example/x",
}

// countingMetrics records what Metrics is told.
type countingMetrics struct {
	mu     sync.Mutex
	counts map[string]int
}

func (m *countingMetrics) add(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.counts == nil {
		m.counts = map[string]int{}
	}
	m.counts[k]++
}

func (m *countingMetrics) get(k string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[k]
}

func (m *countingMetrics) Click(n string, machine bool) {
	m.add("click " + n + " machine=" + strconv.FormatBool(machine))
}
func (m *countingMetrics) Open(n string, machine bool) {
	m.add("open " + n + " machine=" + strconv.FormatBool(machine))
}
func (m *countingMetrics) Unsubscribe(n string) { m.add("unsubscribe " + n) }

// trackingStack is a CRM delivering to an SMTP sink, with tracking on.
type trackingStack struct {
	s       *Server
	sink    *sink
	public  string
	client  *crmclient.Client
	metrics *countingMetrics
	// browser never follows redirects.
	browser *http.Client
}

func startTracking(t *testing.T, db *sqldb.DB, tracking TrackingConfig) *trackingStack {
	t.Helper()
	k, port := startSink(t)
	ts := httptest.NewUnstartedServer(nil)
	st := &trackingStack{sink: k, public: "http://" + ts.Listener.Addr().String(), metrics: &countingMetrics{}}
	mailer, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mailer.Close() })
	st.s = newTestServer(t, db, func(c *Config) {
		c.PublicURL, c.Mailer, c.Tracking, c.Metrics = st.public, mailer, tracking, st.metrics
		c.Delivery.Mode, c.Delivery.Concurrency = ModeSMTP, 2
	})
	ts.Config.Handler = st.s.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	st.client = crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: testKey})
	st.browser = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return st
}

// send queues newsletter for every address with sectionVariant and
// delivers it.
func (st *trackingStack) send(t *testing.T, newsletter string, to ...string) {
	t.Helper()
	req := crm.NewsletterRequest{NewsletterID: newsletter, Variants: []crm.Variant{sectionVariant}}
	for _, a := range to {
		req.Messages = append(req.Messages, crm.Message{To: a, Variant: sectionVariant.ID})
	}
	if resp, err := st.client.SendNewsletter(context.Background(), newsletter+"/1", req); err != nil || resp.Accepted != len(to) {
		t.Fatalf("send %s: %+v, %v", newsletter, resp, err)
	}
	flush(t, st.s)
}

// htmlOf returns the decoded HTML of the last message newsletter sent to.
func (st *trackingStack) htmlOf(t *testing.T, newsletter, to string) string {
	t.Helper()
	msgs := st.sink.messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := parseMail(t, msgs[i].data)
		if msgs[i].to[0] == to && m.header.Get(HeaderNewsletterID) == newsletter {
			return m.html
		}
	}
	t.Fatalf("no message of %s to %s", newsletter, to)
	return ""
}

// textOf returns the decoded text of the last message newsletter sent to.
func (st *trackingStack) textOf(t *testing.T, newsletter, to string) string {
	t.Helper()
	msgs := st.sink.messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := parseMail(t, msgs[i].data)
		if msgs[i].to[0] == to && m.header.Get(HeaderNewsletterID) == newsletter {
			return strings.ReplaceAll(m.text, "\r\n", "\n")
		}
	}
	t.Fatalf("no message of %s to %s", newsletter, to)
	return ""
}

var hrefRE = regexp.MustCompile(`<a href="([^"]*)"[^>]*>([^<]*)</a>`)

// links maps each link's text to its href.
func links(html string) map[string]string {
	out := map[string]string{}
	for _, m := range hrefRE.FindAllStringSubmatch(html, -1) {
		out[m[2]] = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	return out
}

func (st *trackingStack) get(t *testing.T, url, userAgent string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := st.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (st *trackingStack) report(t *testing.T, newsletter string) crm.Report {
	t.Helper()
	rep, err := st.client.Report(context.Background(), newsletter)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// readLater is a link of individual tracking as a reader clicks it a
// while after it was sent: its send time an hour earlier, so the click is
// not taken for a link scanner checking the message as it arrives.
func readLater(t *testing.T, link string) string {
	t.Helper()
	i := strings.LastIndexByte(link, '.')
	if _, err := strconv.ParseInt(link[i+1:], 36, 64); i < 0 || err != nil {
		t.Fatalf("link %s does not end with a send time", link)
	}
	return link[:i+1] + strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 36)
}

const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

func TestClickTracking(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := startTracking(t, b.open(t), TrackingConfig{Mode: TrackingAggregate, Opens: true, Keys: []string{testTrackingKey}})
			importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\nann@example.com,Ann Lee,beta\ncy@example.org,Cy Park,pro\n")
			st.send(t, "2026-W49", "bo@example.com", "ann@example.com", "cy@example.org")
			time.Sleep(5 * time.Millisecond) // the next edition is sent later
			st.send(t, "2026-W50", "bo@example.com")

			html := st.htmlOf(t, "2026-W49", "bo@example.com")
			if strings.Contains(html, AttrSection) {
				t.Errorf("the section marker reached the inbox:\n%s", html)
			}
			got := links(html)
			for text, want := range map[string]string{"Write to us": "mailto:hi@halcytone.example", "call": "tel:+441234567"} {
				if got[text] != want {
					t.Errorf("link %q is %q, want it untouched (%s)", text, got[text], want)
				}
			}
			if !strings.HasPrefix(got["Unsubscribe"], st.public+"/unsubscribe?token=") {
				t.Errorf("unsubscribe link %q was rewritten or lost", got["Unsubscribe"])
			}
			for _, text := range []string{"View in your browser", "release notes", "The tip"} {
				if !strings.HasPrefix(got[text], st.public+PathClick) {
					t.Errorf("link %q is %q, want a tracked link (text unchanged)", text, got[text])
				}
			}
			if !strings.Contains(html, `title="A &#34;tip&#34;"`) && !strings.Contains(html, `title="A &quot;tip&quot;"`) {
				t.Errorf("the tip link lost its title attribute:\n%s", html)
			}
			text := st.textOf(t, "2026-W49", "bo@example.com")
			for _, want := range []string{"notes (" + got["release notes"] + ").\n", "tip: " + got["The tip"] + ".\n", "Elsewhere: https://other.example/x"} {
				if !strings.Contains(text, want) {
					t.Errorf("text part lacks %q:\n%s", want, text)
				}
			}
			if other := links(st.htmlOf(t, "2026-W49", "ann@example.com")); other["release notes"] != got["release notes"] {
				t.Errorf("aggregate tracking gave two recipients different links: %q and %q", got["release notes"], other["release notes"])
			}

			resp := st.get(t, got["release notes"], browserUA)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://halcytone.example/releases/2-4?a=1&b=2" {
				t.Fatalf("click: %d to %q, want 302 to the release notes", resp.StatusCode, resp.Header.Get("Location"))
			}

			// Refused: forged, another edition's, open redirects.
			tok := strings.TrimPrefix(got["release notes"], st.public+PathClick)
			w50 := strings.TrimPrefix(links(st.htmlOf(t, "2026-W50", "bo@example.com"))["release notes"], st.public+PathClick)
			id, mac, _ := strings.Cut(tok, ".")
			id50, mac50, _ := strings.Cut(w50, ".")
			linkID, _ := strconv.ParseInt(id, 36, 64)
			var w50Key string
			if err := st.s.db.QueryRow(`SELECT variant_key FROM links WHERE id = $1`, mustParse36(t, id50)).Scan(&w50Key); err != nil {
				t.Fatal(err)
			}
			flipped := []byte(mac)
			flipped[3] ^= 1
			for name, path := range map[string]string{
				"forged MAC":                      PathClick + id + "." + string(flipped),
				"unknown link":                    PathClick + strconv.FormatInt(linkID+1000, 36) + "." + mac,
				"W50's link with W49's MAC":       PathClick + id50 + "." + mac,
				"W49's link with W50's MAC":       PathClick + id + "." + mac50,
				"W49's link signed for W50":       PathClick + linkToken(st.s.signer, "2026-W50", w50Key, linkID),
				"signed with another key":         PathClick + linkToken(newSigner([]string{"another-key-0123456789"}), "2026-W49", "", linkID),
				"target in the query":             PathClick + tok + "?url=https://evil.example/",
				"target as the token":             PathClick + "https:%2F%2Fevil.example%2F",
				"host as the token":               PathClick + "evil.example",
				"target after the token":          PathClick + tok + "/https://evil.example/",
				"pixel token as a link":           PathClick + pixelToken(t, html, st.public),
				"link with a recipient it lacks":  PathClick + tok + "." + recipientPart(newSigner([]string{"another-key-0123456789"}), "2026-W49", 1),
				"empty token":                     PathClick,
				"overlong token":                  PathClick + strings.Repeat("a", 200),
				"link token's MAC cut short":      PathClick + tok[:len(tok)-1],
				"recipient part without its MAC":  PathClick + tok + ".1",
				"unrelated path under the prefix": PathClick + "../admin",
			} {
				resp := st.get(t, st.public+path, browserUA)
				if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
					t.Errorf("%s (%s): %d Location %q, want 404", name, path, resp.StatusCode, resp.Header.Get("Location"))
				}
			}

			// Opens: a proxy's prefetch and a load right after sending are
			// machine opens; a reader's later load counts as an open.
			pixel := st.public + PathOpen + pixelToken(t, html, st.public)
			old := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 36)
			for _, o := range []struct{ sent, ua string }{
				{old, "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"},
				{old, "Mozilla/5.0"},
				{strconv.FormatInt(time.Now().Unix(), 36), browserUA},
				{old, browserUA},
				{old, browserUA},
			} {
				if resp := st.get(t, pixel+"/"+o.sent, o.ua); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/gif" {
					t.Errorf("pixel: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
			}

			// Bo unsubscribes after W50: W50 answers for it, not W49.
			var token string
			if err := st.s.db.QueryRow(`SELECT unsubscribe_token FROM contacts WHERE email = 'bo@example.com'`).Scan(&token); err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.Unsubscribe(context.Background(), token); err != nil {
				t.Fatal(err)
			}

			rep := st.report(t, "2026-W49")
			if rep.Delivered != 3 || rep.ClicksTotal != 1 || rep.UniqueClicks != 1 || rep.Tracking != TrackingAggregate || rep.Unsubscribed != 0 {
				t.Errorf("W49 report: delivered %d clicks %d unique %d tracking %q unsubscribed %d; want 3, 1, 1, aggregate, 0",
					rep.Delivered, rep.ClicksTotal, rep.UniqueClicks, rep.Tracking, rep.Unsubscribed)
			}
			sections := map[string]crm.SectionClicks{}
			for _, sc := range rep.Sections {
				sections[sc.Category] = sc
			}
			if sections["breathscape"].Clicks != 1 || sections["breathscape"].UniqueClicks != 1 || sections["tips"].Clicks != 0 || len(sections) != 2 {
				t.Errorf("W49 sections %+v, want one click in breathscape and none in tips", rep.Sections)
			}
			wantLinks := []crm.LinkClicks{
				{URL: "https://halcytone.example/releases/2-4?a=1&b=2", Category: "breathscape", Clicks: 1},
				{URL: "https://example.org/tip", Category: "tips"},
				{URL: "https://halcytone.example/updates/w49"},
			}
			if !slices.Equal(rep.Links, wantLinks) {
				t.Errorf("W49 links %+v, want %+v", rep.Links, wantLinks)
			}
			if len(rep.ClicksByDay) != reportDays || rep.ClicksByDay[0].Count != 1 || rep.ClicksByDay[0].Day != utcDay(time.Now()) {
				t.Errorf("W49 clicks by day %+v, want 7 days from today with today's click", rep.ClicksByDay)
			}
			if rep.OpensEstimated != 1 || rep.MachineOpens != 3 {
				t.Errorf("W49 opens: estimated %d, machine %d; want 1 and 3", rep.OpensEstimated, rep.MachineOpens)
			}
			wantSegs := []crm.SegmentCount{{Segment: "beta", Delivered: 2}, {Segment: "pro", Delivered: 1}}
			if !slices.Equal(rep.Segments, wantSegs) {
				t.Errorf("W49 segments %+v, want %+v", rep.Segments, wantSegs)
			}
			rep50 := st.report(t, "2026-W50")
			if rep50.Unsubscribed != 1 || rep50.Delivered != 1 || rep50.ClicksTotal != 0 ||
				!slices.Equal(rep50.Segments, []crm.SegmentCount{{Segment: "beta", Delivered: 1, Unsubscribed: 1}}) {
				t.Errorf("W50 report %+v, want 1 delivered, 1 unsubscribed (beta), no clicks", rep50)
			}
			for k, want := range map[string]int{"click 2026-W49 machine=false": 1, "open 2026-W49 machine=true": 3, "open 2026-W49 machine=false": 2, "unsubscribe 2026-W50": 1} {
				if got := st.metrics.get(k); got != want {
					t.Errorf("metrics %q = %d, want %d", k, got, want)
				}
			}
			_, err := st.client.Report(context.Background(), "2026-W99")
			if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusNotFound {
				t.Errorf("report of an unknown newsletter: %v, want 404", err)
			}
		})
	}
}

func mustParse36(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 36, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var pixelRE = regexp.MustCompile(`<img src="([^"]+)" width="1" height="1"`)

// pixelToken is the token of the open pixel in html.
func pixelToken(t *testing.T, html, public string) string {
	t.Helper()
	m := pixelRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no open pixel in\n%s", html)
	}
	tok, _, _ := strings.Cut(strings.TrimPrefix(m[1], public+PathOpen), "/")
	return tok
}

func TestIndividualTracking(t *testing.T) {
	st := startTracking(t, openSQLite(t), TrackingConfig{Mode: TrackingIndividual, Opens: true, Keys: []string{testTrackingKey}})
	importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\nann@example.com,Ann Lee,beta;pro\n")
	st.send(t, "2026-W49", "bo@example.com", "ann@example.com")
	bo := links(st.htmlOf(t, "2026-W49", "bo@example.com"))
	ann := links(st.htmlOf(t, "2026-W49", "ann@example.com"))
	if bo["The tip"] == ann["The tip"] || !strings.HasPrefix(bo["The tip"], st.public+PathClick) {
		t.Fatalf("individual tracking gave bo %q and ann %q; want links of their own", bo["The tip"], ann["The tip"])
	}
	if text := st.textOf(t, "2026-W49", "bo@example.com"); !strings.Contains(text, "tip: "+bo["The tip"]+".\n") {
		t.Errorf("bo's text part lacks his own tip link %s:\n%s", bo["The tip"], text)
	}
	for _, u := range []string{bo["The tip"], bo["The tip"], ann["The tip"], ann["release notes"]} {
		if resp := st.get(t, readLater(t, u), browserUA); resp.StatusCode != http.StatusFound {
			t.Fatalf("click %s: %d", u, resp.StatusCode)
		}
	}
	// Bo's link with Ann's recipient part but Bo's signature is refused.
	boTok := strings.Split(strings.TrimPrefix(bo["The tip"], st.public+PathClick), ".")
	annTok := strings.Split(strings.TrimPrefix(ann["The tip"], st.public+PathClick), ".")
	if resp := st.get(t, st.public+PathClick+strings.Join([]string{boTok[0], boTok[1], annTok[2], boTok[3]}, "."), browserUA); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a recipient part with another's MAC: %d, want 404", resp.StatusCode)
	}
	rep := st.report(t, "2026-W49")
	if rep.Tracking != TrackingIndividual || rep.ClicksTotal != 4 || rep.UniqueClicks != 2 {
		t.Errorf("report: tracking %q clicks %d unique %d; want individual, 4, 2", rep.Tracking, rep.ClicksTotal, rep.UniqueClicks)
	}
	want := []crm.SectionClicks{{Category: "tips", Clicks: 3, UniqueClicks: 2}, {Category: "breathscape", Clicks: 1, UniqueClicks: 1}}
	if !slices.Equal(rep.Sections, want) {
		t.Errorf("sections %+v, want %+v", rep.Sections, want)
	}
	wantSegs := []crm.SegmentCount{{Segment: "beta", Delivered: 2, Clicks: 4}, {Segment: "pro", Delivered: 1, Clicks: 2}}
	if !slices.Equal(rep.Segments, wantSegs) {
		t.Errorf("segments %+v, want %+v", rep.Segments, wantSegs)
	}
	var rows int
	if err := st.s.db.QueryRow(`SELECT COUNT(*) FROM recipient_clicks`).Scan(&rows); err != nil || rows != 4 {
		t.Errorf("recipient_clicks holds %d rows (%v), want 4", rows, err)
	}
}

// TestAggregateClicksKeepNoRecipient reads every table of the database
// after readers clicked and opened: with individual tracking off, no row
// the clicks wrote names a recipient (an address, a contact, a delivery
// or an unsubscribe token). The same check on individual tracking finds
// the recipient, so it can fail.
func TestAggregateClicksKeepNoRecipient(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, mode := range []string{TrackingAggregate, TrackingIndividual} {
				st := startTracking(t, b.open(t), TrackingConfig{Mode: mode, Opens: true, Keys: []string{testTrackingKey}})
				importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\nann@example.com,Ann Lee,beta\n")
				st.send(t, "2026-W49", "bo@example.com", "ann@example.com")
				before := snapshot(t, st.s.db)
				for _, to := range []string{"bo@example.com", "ann@example.com"} {
					html := st.htmlOf(t, "2026-W49", to)
					for _, text := range []string{"release notes", "The tip"} {
						link := links(html)[text]
						if mode == TrackingIndividual {
							link = readLater(t, link)
						}
						if resp := st.get(t, link, browserUA); resp.StatusCode != http.StatusFound {
							t.Fatalf("click: %d", resp.StatusCode)
						}
					}
					old := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 36)
					st.get(t, st.public+PathOpen+pixelToken(t, html, st.public)+"/"+old, browserUA)
				}
				if rep := st.report(t, "2026-W49"); rep.ClicksTotal != 4 { // writes what the tally holds
					t.Fatalf("%s: %d clicks counted, want 4", mode, rep.ClicksTotal)
				}
				written := newRows(before, snapshot(t, st.s.db))
				if len(written) == 0 {
					t.Fatalf("%s: the clicks wrote nothing to the database", mode)
				}
				secrets := recipientValues(t, st.s.db)
				found := recipientFields(written, secrets)
				switch {
				case mode == TrackingAggregate && len(found) > 0:
					t.Errorf("aggregate tracking stored recipients next to clicks: %v", found)
				case mode == TrackingIndividual && len(found) == 0:
					t.Errorf("individual tracking stored no recipient; the check cannot tell the modes apart (rows %v)", written)
				}
			}
		})
	}
}

type dbRow struct {
	table string
	cols  map[string]string
}

// snapshot reads every row of every table, each as a string.
func snapshot(t *testing.T, db *sqldb.DB) map[string]dbRow {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect == sqldb.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if !slices.Contains(names, "link_clicks") {
		t.Fatalf("tables %v lack link_clicks", names)
	}
	out := map[string]dbRow{}
	for _, name := range names {
		rows, err := db.Query(`SELECT * FROM ` + name)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			r := dbRow{table: name, cols: map[string]string{}}
			key := name
			for i, c := range cols {
				v := vals[i]
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				r.cols[c] = fmt.Sprint(v)
				key += "\x00" + c + "=" + r.cols[c]
			}
			out[key] = r
		}
		rows.Close()
	}
	return out
}

// newRows are the rows of after that before lacks (new or changed).
func newRows(before, after map[string]dbRow) []dbRow {
	var out []dbRow
	for k, r := range after {
		if _, ok := before[k]; !ok {
			out = append(out, r)
		}
	}
	return out
}

// recipientValues are the strings that name a recipient: addresses and
// unsubscribe tokens.
func recipientValues(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT email, unsubscribe_token FROM contacts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e, tok string
		if err := rows.Scan(&e, &tok); err != nil {
			t.Fatal(err)
		}
		out = append(out, e, tok)
	}
	return out
}

// recipientFields lists where rows name a recipient: a column that refers
// to one, or a value that is an address or token.
func recipientFields(rows []dbRow, values []string) []string {
	var found []string
	for _, r := range rows {
		for c, v := range r.cols {
			lc := strings.ToLower(c)
			for _, bad := range []string{"delivery", "contact", "recipient", "address", "email", "token"} {
				if strings.Contains(lc, bad) {
					found = append(found, r.table+"."+c)
				}
			}
			for _, s := range values {
				if strings.Contains(v, s) {
					found = append(found, r.table+"."+c+" holds "+s)
				}
			}
		}
	}
	return found
}

func TestRewriteText(t *testing.T) {
	tracked := map[string]string{"https://a.example/x": "T1", "https://a.example/x?q=1&r=2": "T2", "http://b.example": "T3"}
	for in, want := range map[string]string{
		"":                              "",
		"no links here":                 "no links here",
		"see https://a.example/x.":      "see T1.",
		"(https://a.example/x?q=1&r=2)": "(T2)",
		"https://a.example/x https://a.example/xy": "T1 https://a.example/xy",
		"<http://b.example>, http://b.example":     "<T3>, T3",
		"httpd and http:/ and https://":            "httpd and http:/ and https://",
		"ends with https://a.example/x":            "ends with T1",
		"https://other.example/x!":                 "https://other.example/x!",
	} {
		if got := rewriteText(in, tracked); got != want {
			t.Errorf("rewriteText(%q) = %q, want %q", in, got, want)
		}
	}
}
