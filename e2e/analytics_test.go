package e2e

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/crmtest"
	"github.com/halcytone/contentgen/workflows"
)

// TestClickCountedInItsSection sends an edition through real SMTP into
// Mailpit with click tracking on, follows a tracked link of one reader's
// email as a browser does, and reads the click back from the CRM's report,
// counted in the section the link is in.
func TestClickCountedInItsSection(t *testing.T) {
	mp, mailer := startMailpit(t)
	s := startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP,
		tracking: crmserver.TrackingConfig{Mode: crmserver.TrackingAggregate, Keys: []string{"e2e-tracking-key-0123456789"}}})
	id := startEdition(t, s, "2026-W51")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	approveAndWait(t, s, id)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	msg := mp.WaitFor(t, "grace.hopper@example.org", "Halcytone", nil, 30*time.Second)
	if strings.Contains(msg.HTML, crmserver.AttrSection) {
		t.Errorf("the section marker reached the inbox")
	}
	m := regexp.MustCompile(`<a href="([^"]+)"[^>]*>release page</a>`).FindStringSubmatch(msg.HTML)
	if m == nil {
		t.Fatalf("no release page link in grace's email:\n%.2000s", msg.HTML)
	}
	tracked := strings.ReplaceAll(m[1], "&amp;", "&")
	if !strings.HasPrefix(tracked, s.crmURL+crmserver.PathClick) {
		t.Fatalf("release page link %q is not tracked through %s", tracked, s.crmURL)
	}
	if u := regexp.MustCompile(`<a href="([^"]+)"[^>]*>Unsubscribe</a>`).FindStringSubmatch(msg.HTML); u == nil || !strings.HasPrefix(u[1], s.crmURL+"/unsubscribe?") {
		t.Errorf("unsubscribe link %v was rewritten", u)
	}

	browser := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(url string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", crmtest.ReaderUserAgent) // programs' clicks are counted apart
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := get(tracked)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://halcytone.example/releases/2-4" {
		t.Fatalf("tracked link: %d to %q, want 302 to https://halcytone.example/releases/2-4", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, bad := range []string{tracked[:len(tracked)-2] + "xx", tracked + "?to=https://evil.example/", s.crmURL + crmserver.PathClick + "evil.example"} {
		if resp := get(bad); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d to %q, want 404", bad, resp.StatusCode, resp.Header.Get("Location"))
		}
	}

	rep, err := s.crmClient.Report(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ClicksTotal != 1 || rep.Delivered != s.contactCount || rep.Tracking != crmserver.TrackingAggregate {
		t.Errorf("report: %d clicks, %d delivered, tracking %q; want 1, %d, aggregate", rep.ClicksTotal, rep.Delivered, rep.Tracking, s.contactCount)
	}
	clicks := map[string]int{}
	for _, sc := range rep.Sections {
		clicks[sc.Category] = sc.Clicks
	}
	// Sections without links are listed too, with 0 clicks (Hardware only
	// when a beta reader's variant was sent).
	if clicks["breathscape"] != 1 || rep.Sections[0].Category != "breathscape" {
		t.Errorf("sections %+v, want the click in breathscape first, then the other sections at 0", rep.Sections)
	}
	for _, c := range []string{"tips", "vision"} {
		if n, ok := clicks[c]; !ok || n != 0 {
			t.Errorf("section %s: %d clicks (listed %v), want listed with 0", c, n, ok)
		}
	}
	var link crm.LinkClicks
	for _, l := range rep.Links {
		if l.URL == "https://halcytone.example/releases/2-4" {
			link = l
		}
	}
	if link.Clicks != 1 || link.Category != "breathscape" {
		t.Errorf("release page link in the report: %+v", link)
	}
}
