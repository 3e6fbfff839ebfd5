package server

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/internal/crmtest"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/platform/reportlink"
	"github.com/halcytone/contentgen/report"
)

const crmKey = "crm-key"

var linkSecret = []byte(strings.Repeat("r", reportlink.MinSecretLen))

// startCRM runs the reference CRM, logging instead of mailing, and
// returns its client.
func startCRM(t *testing.T) *crmclient.Client {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := crmserver.New(crmserver.Config{DB: db, Keys: httpapi.NewKeys(crmKey), PublicURL: "https://crm.example.com",
		From: "News <news@example.com>", Delivery: crmserver.DeliveryConfig{Mode: crmserver.ModeLog},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return crmclient.New(crmclient.Options{BaseURL: hs.URL, APIKey: crmKey, Timeout: 5 * time.Second})
}

// unreachableCRM is a CRM client whose server has gone away.
func unreachableCRM(t *testing.T) *crmclient.Client {
	hs := httptest.NewServer(http.NotFoundHandler())
	hs.Close()
	return crmclient.New(crmclient.Options{BaseURL: hs.URL, APIKey: crmKey, Timeout: 2 * time.Second})
}

// publishEditions publishes weeks from..to and reads each page reads times.
func publishEditions(t *testing.T, base string, from, to int) string {
	t.Helper()
	client := platform.New(platform.Options{BaseURL: base, APIKey: testKey})
	var slug string
	for w := from; w <= to; w++ {
		req := sampleRequest(fmt.Sprintf("2026-w%d-halcytone-weekly", w))
		req.Edition = fmt.Sprintf("2026-W%d", w)
		req.Title = fmt.Sprintf("Halcytone Weekly · week %d", w)
		if _, err := client.CreateUpdate(context.Background(), "", req); err != nil {
			t.Fatal(err)
		}
		for i := range w - from + 2 {
			read(t, base, req.Slug, fmt.Sprintf("192.0.2.%d", i+1), firefox)
		}
		slug = req.Slug
	}
	return slug
}

// TestReportAccess opens the report only to the API key and to a valid
// signed link.
func TestReportAccess(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	other := []byte(strings.Repeat("x", reportlink.MinSecretLen))
	s := newTestServer(t, openSQLite(t), func(c *Config) {
		c.Now, c.TrustProxy, c.ReportLinkSecrets = clk.Now, true, [][]byte{linkSecret}
	})
	base := startHTTP(t, s)
	slug := publishEditions(t, base, 48, 49)
	valid := reportlink.URL(base, slug, linkSecret, clk.Now().Add(time.Hour))
	tests := []struct {
		name, url, key string
		want           int
		body           string
	}{
		{"no key", base + reportlink.Path(slug), "", http.StatusUnauthorized, "needs the Platform API key"},
		{"wrong key", base + reportlink.Path(slug), "guess", http.StatusUnauthorized, "needs the Platform API key"},
		{"API key", base + reportlink.Path(slug), testKey, http.StatusOK, "How edition 2026-W49 did"},
		{"signed link", valid, "", http.StatusOK, "How edition 2026-W49 did"},
		{"forged signature", strings.Replace(valid, "sig=", "sig=A", 1), "", http.StatusForbidden, "not valid"},
		{"other secret", reportlink.URL(base, slug, other, clk.Now().Add(time.Hour)), "", http.StatusForbidden, "not valid"},
		{"link of another update", strings.Replace(valid, slug, "2026-w48-halcytone-weekly", 1), "", http.StatusForbidden, "not valid"},
		{"expired", reportlink.URL(base, slug, linkSecret, clk.Now().Add(-time.Second)), "", http.StatusForbidden, "expired"},
		{"unknown update", base + reportlink.Path("nope"), testKey, http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		r := do(t, http.MethodGet, tt.url, tt.key, nil, nil)
		if r.status != tt.want || !strings.Contains(string(r.body), tt.body) {
			t.Errorf("%s: %d %.200s; want %d with %q", tt.name, r.status, r.body, tt.want, tt.body)
		}
		if tt.want != http.StatusNotFound && (r.header.Get("Cache-Control") != "private, no-store" || r.header.Get("Referrer-Policy") != "no-referrer") {
			t.Errorf("%s: headers %v", tt.name, r.header)
		}
	}
}

// TestReportWithoutCRM still shows the web views, and says the email
// figures are unavailable, when the CRM cannot be reached.
func TestReportWithoutCRM(t *testing.T) {
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.TrustProxy, c.Reports = true, unreachableCRM(t) })
	base := startHTTP(t, s)
	slug := publishEditions(t, base, 45, 49)
	r := do(t, http.MethodGet, base+reportlink.Path(slug), testKey, nil, nil)
	body := string(r.body)
	if r.status != http.StatusOK {
		t.Fatalf("report: %d %s", r.status, body)
	}
	for _, want := range []string{"Email figures are unavailable: the CRM could not be read", "<dt>Web views</dt><dd>6<small>6 unique visitors</small>",
		`id="chart-web"`, `id="chart-compare"`, "Web views compared with the last four editions",
		"<td>2026-W45</td><td colspan=\"4\">email figures unavailable</td><td>2</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(body, `id="chart-sections"`) {
		t.Error("report draws click charts without figures")
	}
	if strings.Count(body, "2026-W4") < 5 || strings.Contains(body, "2026-W44") {
		t.Error("report does not compare with exactly the four editions before")
	}
}

// TestReportInBrowser loads the report from a signed link in Chromium:
// the charts are drawn (their bars' colour covers part of the screenshot)
// and the page holds no script, under a CSP that allows none.
func TestReportInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	crmt := crmtest.Start(t, "email,name,segments\nann@example.com,Ann,beta\nbo@example.com,Bo,beta\ncy@example.org,Cy,pro\n")
	for _, ed := range []string{"2026-W48", "2026-W49"} {
		crmt.Send(t, report.NewsletterID(ed), sectionedEmail(ed))
	}
	for _, to := range []string{"ann@example.com", "bo@example.com", "cy@example.org"} {
		crmt.Click(t, to, "Weekly 2026-W49", "Box breathing")
	}
	crmt.Click(t, "ann@example.com", "Weekly 2026-W49", "The Pulse band")
	crmt.Click(t, "bo@example.com", "Weekly 2026-W48", "The Pulse band")
	s := newTestServer(t, openSQLite(t), func(c *Config) {
		c.TrustProxy, c.ReportLinkSecrets, c.Reports = true, [][]byte{linkSecret}, crmt.Client
	})
	base := startHTTP(t, s)
	slug := publishEditions(t, base, 45, 49)
	link := reportlink.URL(base, slug, linkSecret, time.Now().Add(time.Hour))
	r := do(t, http.MethodGet, link, "", nil, nil)
	if r.status != http.StatusOK || r.header.Get("Content-Security-Policy") != reportCSP || !strings.Contains(reportCSP, "default-src 'none'") {
		t.Fatalf("report: %d, CSP %q", r.status, r.header.Get("Content-Security-Policy"))
	}
	if bytes.Contains(bytes.ToLower(r.body), []byte("<script")) {
		t.Error("the report page holds a script")
	}
	shot, dom := browsertest.Capture(t, link, "report.png", 1280, 2400, browsertest.VirtualTimeBudget(500*time.Millisecond))
	if strings.Contains(strings.ToLower(dom), "<script") {
		t.Error("the rendered report holds a script")
	}
	for _, want := range []string{"<dt>Delivered</dt><dd>3</dd>", "<dt>Clicks</dt><dd>4<small>", "halcytone.example/box", "https://halcytone.example/pulse",
		"<td>2026-W48</td><td>3</td><td>1</td><td>not counted</td>", "unique clicks need individual tracking",
		"<dt>Machine clicks</dt><dd>0<small>", "<th scope=\"col\">Segment</th>", "<td>beta</td><td>2</td><td>0</td><td>0</td><td>0</td><td>not counted</td>",
		"<td>pro</td><td>1</td><td>0</td><td>0</td><td>0</td><td>not counted</td>", "Clicks per segment need individual tracking", "<td>2026-W47</td><td colspan=\"4\">email figures unavailable</td>"} {
		if !strings.Contains(dom, want) && !strings.Contains(string(r.body), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(dom, " unique</small>") {
		t.Error("the report shows unique clicks the CRM did not count (aggregate tracking)")
	}
	if i, j := strings.Index(dom, `id="segments"`), strings.Index(dom, "Clicks over the first 7 days"); i < 0 || j < i {
		t.Error("the rendered report lacks the segment table before the clicks by day")
	}
	for _, id := range []string{"chart-sections", "chart-links", "chart-days", "chart-web", "chart-compare"} {
		if !strings.Contains(dom, `id="`+id+`"`) {
			t.Errorf("rendered report lacks chart %s", id)
		}
	}
	if n := accentPixels(t, shot); n < 20000 {
		t.Errorf("the charts' bars cover %d pixels of the screenshot; they were not drawn", n)
	}
}

// sectionedEmail is an edition whose links sit in two sections, marked
// for the CRM as the renderer marks them.
func sectionedEmail(edition string) crm.Variant {
	return crm.Variant{ID: "default", Subject: "Weekly " + edition,
		HTML: `<html><body><div data-section="Breathscape"><p><a href="https://halcytone.example/box">Box breathing</a></p></div>` +
			`<div data-section="Hardware"><p><a href="https://halcytone.example/pulse">The Pulse band</a></p></div>` +
			`<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p></body></html>`,
		Text: "Box breathing: https://halcytone.example/box\nPulse: https://halcytone.example/pulse\n"}
}

// accentPixels counts the pixels of the bars' colour in a PNG.
func accentPixels(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 0x2f) && near(g>>8, 0x6f) && near(bl>>8, 0x7e) {
				n++
			}
		}
	}
	return n
}

func near(v uint32, want int) bool { return int(v) >= want-6 && int(v) <= want+6 }
