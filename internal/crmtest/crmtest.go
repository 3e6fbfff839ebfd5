// Package crmtest runs the reference CRM for tests of the parts that read
// its figures: real SQLite, real SMTP into Mailpit, click tracking on, so
// a test sends an edition, follows a tracked link as a reader's browser
// does, and reads the CRM's report.
package crmtest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/mailpittest"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// Key is the CRM's API key.
const Key = "crmtest-key"

// CRM is a running reference CRM delivering into Mailpit.
type CRM struct {
	Server *crmserver.Server
	URL    string
	Client *crmclient.Client
	Mail   *mailpittest.Server
	// Contacts are the addresses imported, each sent every edition.
	Contacts []string
}

// Start runs the CRM with the contacts of csv (header
// "email,name,segments") until the test ends.
func Start(t testing.TB, csv string) *CRM {
	t.Helper()
	mp := mailpittest.Start(t)
	mailer, err := crmserver.NewSMTPMailer(crmserver.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mailer.Close() })
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	s, err := crmserver.New(crmserver.Config{DB: db, Keys: httpapi.NewKeys(Key), PublicURL: url, From: "News <news@example.com>",
		Mailer: mailer, Delivery: crmserver.DeliveryConfig{Mode: crmserver.ModeSMTP, Concurrency: 2},
		Tracking: crmserver.TrackingConfig{Mode: crmserver.TrackingAggregate, Keys: []string{"crmtest-tracking-key-0123456789"}},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = s.Handler()
	hs.Start()
	t.Cleanup(hs.Close)
	c := &CRM{Server: s, URL: url, Client: crmclient.New(crmclient.Options{BaseURL: url, APIKey: Key, Timeout: 10 * time.Second}), Mail: mp}
	res, err := c.Client.ImportContacts(context.Background(), strings.NewReader(csv))
	if err != nil || res.Imported == 0 {
		t.Fatalf("import contacts: %+v %v", res, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n")[1:] {
		addr, _, _ := strings.Cut(line, ",")
		c.Contacts = append(c.Contacts, addr)
	}
	return c
}

// Send sends v as newsletterID to every contact and waits until each
// message reached Mailpit.
func (c *CRM) Send(t testing.TB, newsletterID string, v crm.Variant) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	page, err := c.Client.Recipients(ctx, nil, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	req := crm.NewsletterRequest{NewsletterID: newsletterID, Variants: []crm.Variant{v}}
	for _, r := range page.Recipients {
		req.Messages = append(req.Messages, crm.Message{To: r.Email, Name: r.Name, Variant: v.ID, Merge: crm.MergeValues(r)})
	}
	if resp, err := c.Client.SendNewsletter(ctx, newsletterID+"/1", req); err != nil || resp.Accepted != len(page.Recipients) {
		t.Fatalf("send %s: %+v %v", newsletterID, resp, err)
	}
	if err := c.Server.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// ReaderUserAgent is the user agent Click follows links with: a desktop
// browser's.
const ReaderUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"

var anchor = regexp.MustCompile(`<a [^>]*href="([^"]+)"[^>]*>([^<]*)</a>`)

// Click follows, as a reader's browser does, the link whose text is
// linkText in the newest message to to whose subject starts with subject,
// and returns where it redirected.
func (c *CRM) Click(t testing.TB, to, subject, linkText string) string {
	t.Helper()
	msg := c.Mail.WaitFor(t, to, subject, nil, 30*time.Second)
	for _, m := range anchor.FindAllStringSubmatch(msg.HTML, -1) {
		if strings.TrimSpace(m[2]) != linkText {
			continue
		}
		href := strings.ReplaceAll(m[1], "&amp;", "&")
		browser := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, err := http.NewRequest(http.MethodGet, href, nil)
		if err != nil {
			t.Fatal(err)
		}
		// A browser's user agent: the CRM counts clicks by programs apart.
		req.Header.Set("User-Agent", ReaderUserAgent)
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("tracked link %s: %d", href, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	t.Fatalf("no link %q in the message to %s:\n%.2000s", linkText, to, msg.HTML)
	return ""
}
