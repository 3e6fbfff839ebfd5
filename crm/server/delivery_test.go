package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
)

// smtpServer returns a CRM delivering to the sink on port, served over
// HTTP so its unsubscribe links work, and a client for it.
func smtpServer(t *testing.T, port int, edit func(*Config)) (*Server, *crmclient.Client, string) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + ts.Listener.Addr().String()
	mailer, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mailer.Close() })
	s := newTestServer(t, openSQLite(t), func(c *Config) {
		c.PublicURL, c.Mailer = publicURL, mailer
		c.Delivery.Mode, c.Delivery.Concurrency = ModeSMTP, 2
		if edit != nil {
			edit(c)
		}
	})
	ts.Config.Handler = s.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return s, crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: testKey}), publicURL
}

var mergeVariant = crm.Variant{
	ID:        "beta",
	Subject:   "News for {{first_name}}",
	Preheader: "This week for {{first_name}}",
	HTML: `<html><body><p>Hi {{name}} from {{attr.city}}.</p><p>Plan: {{attr.plan}}.</p>` +
		`<p>Missing: [{{attr.nothing}}]</p><p>Code: {{open}}not_a_tag}}</p><a href="{{unsubscribe_url}}">Unsubscribe</a></body></html>`,
	Text:      "Hi {{name}} from {{attr.city}}. Plan: {{attr.plan}}. Missing: [{{attr.nothing}}] Code: {{open}}not_a_tag}}",
	Fallbacks: map[string]string{"attr.plan": "free", "attr.city": "your city"},
}

func sendToSegment(t *testing.T, c *crmclient.Client, newsletter string, segments ...string) crm.RecipientsPage {
	t.Helper()
	ctx := context.Background()
	page, err := c.Recipients(ctx, segments, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	req := crm.NewsletterRequest{NewsletterID: newsletter, Variants: []crm.Variant{mergeVariant}}
	for _, r := range page.Recipients {
		req.Messages = append(req.Messages, crm.Message{To: r.Email, Name: r.Name, Variant: mergeVariant.ID, Merge: crm.MergeValues(r)})
	}
	resp, err := c.SendNewsletter(ctx, newsletter+"/1", req)
	if err != nil || resp.Accepted != len(page.Recipients) {
		t.Fatalf("send: %+v, %v", resp, err)
	}
	return page
}

func TestSMTPDeliveryAndOneClickUnsubscribe(t *testing.T) {
	k, port := startSink(t)
	s, client, publicURL := smtpServer(t, port, nil)
	importCSV(t, s, "email,name,segments,city\nbo@example.com,<b>Bo</b> Jones,beta,Oslo & Bergen\nann@example.com,Ann Lee,beta,\nzed@example.com,Zed,pro,\n")
	page := sendToSegment(t, client, "2026-W48", "beta")
	flush(t, s)

	got := map[string]parsedMail{}
	for _, m := range k.messages() {
		if _, _, ok := parseReturnPath(m.from); !ok || !strings.HasSuffix(m.from, "@example.com") || len(m.to) != 1 {
			t.Errorf("envelope from %q to %v; want a VERP return path at the sender's domain", m.from, m.to)
		}
		got[m.to[0]] = parseMail(t, m.data)
	}
	if len(got) != 2 {
		t.Fatalf("received mail for %d recipients, want 2", len(got))
	}
	bo, ann := got["bo@example.com"], got["ann@example.com"]
	boURL := page.Recipients[0].UnsubscribeURL
	if !strings.HasPrefix(boURL, publicURL+crm.PathUnsubscribe+"?token=") {
		t.Fatalf("unsubscribe URL %q", boURL)
	}
	headers := map[string]string{
		"List-Unsubscribe":      "<" + boURL + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Newsletter-Id":       "2026-W48",
	}
	for name, want := range headers {
		if v := bo.header.Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	from, _ := mail.ParseAddress(bo.header.Get("From"))
	to, _ := mail.ParseAddress(bo.header.Get("To"))
	if from == nil || from.Address != "news@example.com" || from.Name != "Halcytone" || to == nil || to.Address != "bo@example.com" || to.Name != "<b>Bo</b> Jones" {
		t.Errorf("From %q To %q", bo.header.Get("From"), bo.header.Get("To"))
	}
	if bo.subject != "News for <b>Bo</b>" {
		t.Errorf("subject %q: merge values are not HTML-escaped in the subject", bo.subject)
	}
	if _, err := mail.ParseDate(bo.header.Get("Date")); err != nil {
		t.Errorf("Date: %v", err)
	}
	checkBodies(t, bo, ann)

	deliveries, err := client.Deliveries(context.Background(), "2026-W48", "", "", 0)
	if err != nil || deliveries.Counts[crm.DeliverySent] != 2 {
		t.Fatalf("deliveries %+v, %v", deliveries, err)
	}
	ids := map[string]string{}
	for _, d := range deliveries.Deliveries {
		ids[d.Address] = "<" + d.SMTPMessageID + ">"
	}
	if mid := bo.header.Get("Message-Id"); mid == "" || mid != ids["bo@example.com"] {
		t.Errorf("Message-ID %q, delivery log has %q", mid, ids["bo@example.com"])
	}
	oneClickUnsubscribe(t, strings.Trim(bo.header.Get("List-Unsubscribe"), "<>"))
	after, err := client.Recipients(context.Background(), []string{"beta"}, "", 100)
	if err != nil || len(after.Recipients) != 1 || after.Recipients[0].Email != "ann@example.com" {
		t.Errorf("recipients after unsubscribe: %+v, %v", after.Recipients, err)
	}
}

func checkBodies(t *testing.T, bo, ann parsedMail) {
	t.Helper()
	wants := []struct {
		part, name, want string
	}{
		{bo.html, "escaped name and city in HTML", "<p>Hi &lt;b&gt;Bo&lt;/b&gt; Jones from Oslo &amp; Bergen.</p>"},
		{bo.text, "raw name and city in text", "Hi <b>Bo</b> Jones from Oslo & Bergen."},
		{bo.html, "fallback in HTML", "<p>Plan: free.</p>"},
		{bo.text, "fallback in text", "Plan: free."},
		{ann.text, "fallback for a missing attribute", "Hi Ann Lee from your city."},
		{bo.html, "tag without value removed", "Missing: []"},
		{bo.text, "tag without value removed from text", "Missing: []"},
		{bo.html, "{{open}} is a literal {{", "Code: {{not_a_tag}}"},
		{bo.text, "{{open}} is a literal {{ in text", "Code: {{not_a_tag}}"},
		{bo.html, "hidden preheader", ">This week for &lt;b&gt;Bo&lt;/b&gt;</div>"},
		{bo.html, "unsubscribe link", `href="http://`},
	}
	for _, w := range wants {
		if !strings.Contains(w.part, w.want) {
			t.Errorf("%s: %q not in\n%s", w.name, w.want, w.part)
		}
	}
	for _, part := range []string{bo.html, bo.text, ann.html, ann.text} {
		if strings.Contains(part, "{{attr") || strings.Contains(part, "{{open") {
			t.Errorf("raw merge tag left in\n%s", part)
		}
	}
	if strings.Contains(bo.html, "<b>Bo</b>") {
		t.Error("name not HTML-escaped in the HTML part")
	}
}

// oneClickUnsubscribe does what a mailbox provider does for RFC 8058.
func oneClickUnsubscribe(t *testing.T, link string) {
	t.Helper()
	resp, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	u, _ := url.Parse(link)
	bad := *u
	bad.RawQuery = "token=unknown"
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		req, _ := http.NewRequest(method, bad.String(), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s unknown token = %d, want 404", method, resp.StatusCode)
		}
	}
}

func TestSMTPFailures(t *testing.T) {
	tests := []struct {
		name         string
		tempFails    int
		permFail     bool
		maxAttempts  int
		wantStatus   string
		wantAttempts int
		wantErr      string
	}{
		{"temporary failures then success", 2, false, 5, crm.DeliverySent, 3, ""},
		{"permanent failure", 0, true, 5, crm.DeliveryFailed, 1, "550"},
		{"gives up after max attempts", 10, false, 3, crm.DeliveryFailed, 3, "gave up after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, port := startSink(t)
			k.tempFails["x@example.com"] = tt.tempFails
			k.permFails["x@example.com"] = tt.permFail
			s, _, _ := smtpServer(t, port, func(c *Config) { c.Delivery.MaxAttempts = tt.maxAttempts })
			postBatch(t, s, "k", batch("n1", "x@example.com", "ok@example.com"))
			flush(t, s)
			_, rows := allDeliveries(t, s, "n1")
			for _, d := range rows {
				if d.Address == "ok@example.com" {
					if d.Status != crm.DeliverySent {
						t.Errorf("other recipient %+v", d)
					}
					continue
				}
				if d.Status != tt.wantStatus || d.Attempts != tt.wantAttempts || !strings.Contains(d.Error, tt.wantErr) {
					t.Errorf("delivery %+v, want %s after %d attempts, error with %q", d, tt.wantStatus, tt.wantAttempts, tt.wantErr)
				}
				if (d.SentAt != nil) != (tt.wantStatus == crm.DeliverySent) {
					t.Errorf("sent_at %v for status %s", d.SentAt, d.Status)
				}
			}
		})
	}
}

func addresses(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("r%02d@example.net", i))
	}
	return out
}

func TestBoundedConcurrencyAndRate(t *testing.T) {
	t.Run("concurrency", func(t *testing.T) {
		k, port := startSink(t)
		// Each message holds its connection long enough that the three
		// workers overlap however slowly a busy machine starts them.
		k.dataDelay = 200 * time.Millisecond
		s, _, _ := smtpServer(t, port, func(c *Config) { c.Delivery.Concurrency = 3 })
		postBatch(t, s, "k", batch("n1", addresses(12)...))
		flush(t, s)
		if n := len(k.messages()); n != 12 || k.maxActive > 3 || k.maxActive < 2 {
			t.Errorf("%d messages, at most %d at once; want 12 with 2 to 3 at once", n, k.maxActive)
		}
	})
	t.Run("rate", func(t *testing.T) {
		k, port := startSink(t)
		s, _, _ := smtpServer(t, port, func(c *Config) { c.Delivery.Concurrency, c.Delivery.RatePerSecond = 4, 20 })
		postBatch(t, s, "k", batch("n1", addresses(9)...))
		flush(t, s)
		starts := k.dataStarts
		if len(starts) != 9 {
			t.Fatalf("%d messages", len(starts))
		}
		// The limiter spaces them 400 ms in all; the slack absorbs the
		// first message reaching the sink later than the last.
		if span := starts[8].Sub(starts[0]); span < 300*time.Millisecond {
			t.Errorf("9 messages at 20/s took %v, want at least 400ms", span)
		}
	})
}

func TestRestartResumesQueuedDeliveries(t *testing.T) {
	k, port := startSink(t)
	// At 5 a second the last 7 messages take 1.4 s after the third: the
	// stop lands mid-queue however late a busy machine notices the third.
	s1, _, _ := smtpServer(t, port, func(c *Config) { c.Delivery.Concurrency, c.Delivery.RatePerSecond = 1, 5 })
	postBatch(t, s1, "k", batch("n1", addresses(10)...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s1.Run(ctx) }()
	for deadline := time.Now().Add(30 * time.Second); len(k.messages()) < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var held int
	if err := s1.db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = 'queued' AND locked_until > 0`).Scan(&held); err != nil || held != 0 {
		t.Fatalf("%d queued deliveries still claimed after a clean stop (%v)", held, err)
	}
	sentBefore := len(k.messages())
	if sentBefore == 10 {
		t.Fatal("everything was sent before the stop; the test proves nothing")
	}
	s2 := newTestServer(t, s1.db, func(c *Config) { c.Mailer, c.Delivery.Mode = s1.cfg.Mailer, ModeSMTP })
	flush(t, s2)
	seen := map[string]int{}
	for _, m := range k.messages() {
		seen[m.to[0]]++
	}
	for _, a := range addresses(10) {
		if seen[a] != 1 {
			t.Errorf("%s received %d times", a, seen[a])
		}
	}
	t.Logf("%d sent before the restart, %d after", sentBefore, 10-sentBefore)
}
