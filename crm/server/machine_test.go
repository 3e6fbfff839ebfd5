package server

import (
	"context"
	"database/sql"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// Link scanners' user agents, as mail security gateways send them.
var scannerUAs = map[string]string{
	"Microsoft Safe Links": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) SafeLinks/1.0",
	"Proofpoint":           "Mozilla/5.0 (compatible; proofpoint URL Defense)",
	"Mimecast":             "Mimecast-URL-Protect/2.1",
	"Barracuda":            "Barracuda Sentinel (EE)",
	"no user agent":        "",
}

func TestMachineClickUserAgentsAndHEAD(t *testing.T) {
	st := startTracking(t, openSQLite(t), TrackingConfig{Mode: TrackingAggregate, Keys: []string{testTrackingKey}})
	importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\n")
	st.send(t, "2026-W49", "bo@example.com")
	link := links(st.htmlOf(t, "2026-W49", "bo@example.com"))["release notes"]
	for name, ua := range scannerUAs {
		if resp := st.get(t, link, ua); resp.StatusCode != http.StatusFound {
			t.Fatalf("%s: click answered %d, want 302", name, resp.StatusCode)
		}
	}
	req, err := http.NewRequest(http.MethodHead, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", browserUA)
	resp, err := st.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("HEAD answered %d, want 302", resp.StatusCode)
	}
	if resp := st.get(t, link, browserUA); resp.StatusCode != http.StatusFound {
		t.Fatalf("reader's click answered %d, want 302", resp.StatusCode)
	}
	rep := st.report(t, "2026-W49")
	if want := len(scannerUAs) + 1; rep.MachineClicks != want || rep.ClicksTotal != 1 {
		t.Errorf("machine clicks %d, clicks %d; want %d machine (scanners and HEAD) and 1 reader's", rep.MachineClicks, rep.ClicksTotal, want)
	}
	if rep.Sections[0] != (crm.SectionClicks{Category: "breathscape", Clicks: 1, UniqueClicks: 1}) {
		t.Errorf("sections %+v, want breathscape with the reader's click only", rep.Sections)
	}
	if got := st.metrics.get("click 2026-W49 machine=true"); got != len(scannerUAs)+1 {
		t.Errorf("machine click metric %d, want %d", got, len(scannerUAs)+1)
	}
}

func TestMachineClickRightAfterDelivery(t *testing.T) {
	st := startTracking(t, openSQLite(t), TrackingConfig{Mode: TrackingIndividual, Keys: []string{testTrackingKey}})
	importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\nann@example.com,Ann Lee,beta\n")
	st.send(t, "2026-W49", "bo@example.com", "ann@example.com")
	// A click stamped as sent this second is within scannerWindow (the
	// link's own send time is when the message was built, which a slow
	// test run might leave more than two seconds behind).
	bo := links(st.htmlOf(t, "2026-W49", "bo@example.com"))["The tip"]
	bo = bo[:strings.LastIndexByte(readLater(t, bo), '.')+1] + strconv.FormatInt(time.Now().Unix(), 36)
	if resp := st.get(t, bo, browserUA); resp.StatusCode != http.StatusFound {
		t.Fatalf("click: %d", resp.StatusCode)
	}
	ann := links(st.htmlOf(t, "2026-W49", "ann@example.com"))["The tip"]
	if resp := st.get(t, readLater(t, ann), browserUA); resp.StatusCode != http.StatusFound {
		t.Fatalf("click: %d", resp.StatusCode)
	}
	rep := st.report(t, "2026-W49")
	if rep.MachineClicks != 1 || rep.ClicksTotal != 1 || rep.UniqueClicks != 1 {
		t.Errorf("machine %d, clicks %d, unique %d; want the click right after delivery apart: 1, 1, 1", rep.MachineClicks, rep.ClicksTotal, rep.UniqueClicks)
	}
	var machine int
	if err := st.s.db.QueryRow(`SELECT COUNT(*) FROM recipient_clicks WHERE machine = $1`, true).Scan(&machine); err != nil || machine != 1 {
		t.Errorf("recipient_clicks holds %d machine clicks (%v), want 1", machine, err)
	}
}

func TestMachineClickRule(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		name string
		ua   string
		sent int64
		want bool
	}{
		{"reader", browserUA, 0, false},
		{"reader an hour after sending", browserUA, now.Add(-time.Hour).Unix(), false},
		{"reader three seconds after sending", browserUA, now.Add(-3 * time.Second).Unix(), false},
		{"one second after sending", browserUA, now.Add(-time.Second).Unix(), true},
		{"bare Mozilla/5.0", "Mozilla/5.0", 0, true},
		{"scanner in upper case", "MIMECAST URL PROTECT", 0, true},
		{"HTTP library", "python-requests/2.31", 0, true},
	} {
		if got := machineClick(c.ua, c.sent, now); got != c.want {
			t.Errorf("%s: machine %v, want %v", c.name, got, c.want)
		}
	}
	for name, ua := range scannerUAs {
		if !machineClick(ua, 0, now) {
			t.Errorf("%s (%q) counted as a reader", name, ua)
		}
	}
}

// TestMachineClickBurst drives the burst rule with set times: one client
// clicking three links of a newsletter within a second is a scanner.
func TestMachineClickBurst(t *testing.T) {
	for _, mode := range []string{TrackingAggregate, TrackingIndividual} {
		t.Run(mode, func(t *testing.T) {
			st := startTracking(t, openSQLite(t), TrackingConfig{Mode: mode, Keys: []string{testTrackingKey}})
			importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\nann@example.com,Ann Lee,beta\n")
			st.send(t, "2026-W49", "bo@example.com", "ann@example.com")
			var ids []int64
			if err := st.s.scanRows(context.Background(), `SELECT id FROM links WHERE newsletter_id = $1 AND position >= 0 ORDER BY position`, []any{"2026-W49"},
				func(r *sql.Rows) error {
					var id int64
					err := r.Scan(&id)
					ids = append(ids, id)
					return err
				}); err != nil {
				t.Fatal(err)
			}
			var ls []*link
			for _, id := range ids {
				l, err := st.s.lookupLink(context.Background(), id)
				if err != nil || l == nil {
					t.Fatalf("link %d: %v", id, err)
				}
				ls = append(ls, l)
			}
			if len(ls) != 3 {
				t.Fatalf("%d links, want 3", len(ls))
			}
			var deliveries []int64
			if err := st.s.scanRows(context.Background(), `SELECT id FROM deliveries WHERE newsletter_id = $1 ORDER BY id`, []any{"2026-W49"},
				func(r *sql.Rows) error {
					var id int64
					err := r.Scan(&id)
					deliveries = append(deliveries, id)
					return err
				}); err != nil {
				t.Fatal(err)
			}
			// client names a reader as each mode knows one.
			client := func(n int) (int64, visitorID) {
				if mode == TrackingIndividual {
					return deliveries[n], visitorID{}
				}
				return 0, visitorID{byte(n + 1)}
			}
			// A minute ahead: the tally forgets bursts by the clock, and
			// this one must not be forgotten however slow the test runs.
			t0 := time.Now().Add(time.Minute)
			at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
			tl := st.s.tally
			// Scanner (client 0): three links in 600 ms; all three, and its
			// next click 800 ms later, are machine clicks.
			d, v := client(0)
			clicks := []bool{tl.click(ls[0], d, v, false, at(0)), tl.click(ls[1], d, v, false, at(200))}
			if err := tl.flush(context.Background()); err != nil { // the first two are written as readers' clicks
				t.Fatal(err)
			}
			clicks = append(clicks, tl.click(ls[2], d, v, false, at(600)), tl.click(ls[0], d, v, false, at(1400)))
			if !slices.Equal(clicks, []bool{false, false, true, true}) {
				t.Errorf("scanner's clicks counted as machine %v, want [false false true true] (the first two moved once the third came)", clicks)
			}
			// Reader (client 1): two links at once, a third 1.5 s later,
			// and the same link many times: all readers' clicks.
			d, v = client(1)
			for i, c := range []struct {
				l  *link
				ms int
			}{{ls[0], 0}, {ls[1], 100}, {ls[1], 150}, {ls[1], 200}, {ls[2], 1600}} {
				if tl.click(c.l, d, v, false, at(c.ms)) {
					t.Errorf("reader's click %d counted as a machine click", i)
				}
			}
			rep := st.report(t, "2026-W49")
			if rep.MachineClicks != 4 || rep.ClicksTotal != 5 {
				t.Errorf("machine %d, clicks %d; want 4 and 5", rep.MachineClicks, rep.ClicksTotal)
			}
			if mode == TrackingIndividual {
				if rep.UniqueClicks != 1 {
					t.Errorf("unique clicks %d, want 1 (the scanner's recipient does not count)", rep.UniqueClicks)
				}
				var machine int
				if err := st.s.db.QueryRow(`SELECT COUNT(*) FROM recipient_clicks WHERE machine = $1 AND delivery_id = $2`, true, deliveries[0]).Scan(&machine); err != nil || machine != 4 {
					t.Errorf("recipient_clicks marks %d of the scanner's clicks as machine (%v), want 4", machine, err)
				}
			}
		})
	}
}

// TestReportListsEverySection: sections nobody clicked, and sections
// without any link, are in the report with 0 clicks, in document order
// after the clicked ones.
func TestReportListsEverySection(t *testing.T) {
	st := startTracking(t, openSQLite(t), TrackingConfig{Mode: TrackingAggregate, Keys: []string{testTrackingKey}})
	v := sectionVariant
	v.HTML = strings.Replace(v.HTML, `<p><a href="{{unsubscribe_url}}">`, `<div data-section="vision"><h2>Vision</h2><p>No link here.</p></div><p><a href="{{unsubscribe_url}}">`, 1)
	importCSV(t, st.s, "email,name,segments\nbo@example.com,Bo Jones,beta\n")
	req := crm.NewsletterRequest{NewsletterID: "2026-W49", Variants: []crm.Variant{v}, Messages: []crm.Message{{To: "bo@example.com", Variant: v.ID}}}
	if resp, err := st.client.SendNewsletter(context.Background(), "2026-W49/1", req); err != nil || resp.Accepted != 1 {
		t.Fatalf("send: %+v, %v", resp, err)
	}
	flush(t, st.s)
	if resp := st.get(t, links(st.htmlOf(t, "2026-W49", "bo@example.com"))["The tip"], browserUA); resp.StatusCode != http.StatusFound {
		t.Fatalf("click: %d", resp.StatusCode)
	}
	rep := st.report(t, "2026-W49")
	want := []crm.SectionClicks{{Category: "tips", Clicks: 1, UniqueClicks: 1}, {Category: "breathscape"}, {Category: "vision"}}
	if !slices.Equal(rep.Sections, want) {
		t.Errorf("sections %+v, want %+v", rep.Sections, want)
	}
}
