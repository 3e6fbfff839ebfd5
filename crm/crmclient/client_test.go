package crmclient_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

const apiKey = "contract-key"

const contacts = `email,name,segments,city,plan
ann@example.com,Ann Lee,beta,Oslo,pro
bo@example.com,Bo Jones,pro,,
cy@example.org,Cy Park,beta;investors,Rome,
di@example.org,Di Ray,,Lima,free
ed@example.com,Ed Moss,investors,,
`

// contractServer runs the reference CRM behind a real HTTP server and
// records the headers of every request.
type contractServer struct {
	*httptest.Server
	crm *server.Server
	mu  sync.Mutex
	hdr []http.Header
}

func newContractServer(t *testing.T, edit func(*server.Config)) *contractServer {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := server.Config{DB: db, Keys: httpapi.NewKeys(apiKey), PublicURL: "https://crm.example.com",
		From: "News <news@example.com>", Delivery: server.DeliveryConfig{Mode: server.ModeLog},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if edit != nil {
		edit(&cfg)
	}
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cs := &contractServer{crm: s}
	h := s.Handler()
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		cs.hdr = append(cs.hdr, r.Header.Clone())
		cs.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *contractServer) client(key string) *crmclient.Client {
	return crmclient.New(crmclient.Options{BaseURL: cs.URL, APIKey: key, Timeout: 10 * time.Second})
}

func TestRecipientsPagingWithSegments(t *testing.T) {
	cs := newContractServer(t, nil)
	c := cs.client(apiKey)
	ctx := context.Background()
	if res, err := c.ImportContacts(ctx, strings.NewReader(contacts)); err != nil || res.Imported != 5 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	tests := []struct {
		segments []string
		want     []string
	}{
		{[]string{"beta", "investors"}, []string{"ann@example.com", "cy@example.org", "ed@example.com"}},
		{[]string{"pro"}, []string{"bo@example.com"}},
		{nil, []string{"ann@example.com", "bo@example.com", "cy@example.org", "di@example.org", "ed@example.com"}},
	}
	for _, tt := range tests {
		var got []string
		cursor, pages := "", 0
		for {
			page, err := c.Recipients(ctx, tt.segments, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if page.Total != len(tt.want) || len(page.Recipients) > 2 {
				t.Errorf("page %d: total %d, %d recipients", pages, page.Total, len(page.Recipients))
			}
			for _, r := range page.Recipients {
				got = append(got, r.Email)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, tt.want) || pages != (len(tt.want)+1)/2 {
			t.Errorf("segments %v: %v in %d pages, want %v", tt.segments, got, pages, tt.want)
		}
	}
	_, err := c.Recipients(ctx, nil, "not-a-cursor", 0)
	if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusBadRequest || se.Detail.Field != "cursor" {
		t.Errorf("bad cursor: %v", err)
	}
}

func TestSendAndReplay(t *testing.T) {
	cs := newContractServer(t, nil)
	c := cs.client(apiKey)
	ctx := httpapi.WithCorrelationID(context.Background(), "newsletter-2026-W48")
	if _, err := c.ImportContacts(ctx, strings.NewReader(contacts)); err != nil {
		t.Fatal(err)
	}
	page, err := c.Recipients(ctx, []string{"beta"}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	req := crm.NewsletterRequest{NewsletterID: "2026-W48",
		Variants: []crm.Variant{{ID: "beta", Subject: "Hi {{first_name}}", HTML: "<p>{{name}}</p>", Text: "{{name}}"}}}
	for _, r := range page.Recipients {
		req.Messages = append(req.Messages, crm.Message{To: r.Email, Name: r.Name, Variant: "beta", Merge: crm.MergeValues(r)})
	}
	first, err := c.SendNewsletter(ctx, "2026-W48/page-0", req)
	if err != nil || first.Accepted != 2 || len(first.Results) != 2 {
		t.Fatalf("send: %+v, %v", first, err)
	}
	replay, err := c.SendNewsletter(ctx, "2026-W48/page-0", req)
	if err != nil || !reflect.DeepEqual(replay, first) {
		t.Errorf("replay %+v, %v; want %+v", replay, err, first)
	}
	last := cs.hdr[len(cs.hdr)-1]
	if last.Get("Idempotency-Key") != "2026-W48/page-0" || last.Get("X-Correlation-ID") != "newsletter-2026-W48" ||
		last.Get("Authorization") != "Bearer "+apiKey {
		t.Errorf("request headers %v", last)
	}
	again, err := c.SendNewsletter(ctx, "2026-W48/page-1", req)
	if err != nil || again.Duplicate != 2 || again.Accepted != 0 {
		t.Errorf("same addresses under another key: %+v, %v", again, err)
	}

	req.Messages = req.Messages[:1]
	_, err = c.SendNewsletter(ctx, "2026-W48/page-0", req)
	if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusUnprocessableEntity || se.Retryable() {
		t.Errorf("changed body under the same key: %v", err)
	}
	if _, err := c.SendNewsletter(ctx, "", req); err == nil || !strings.Contains(err.Error(), "idempotency key") {
		t.Errorf("empty key: %v", err)
	}

	if err := cs.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := c.Deliveries(ctx, "2026-W48", "", "", 1)
	if err != nil || d.Total != 2 || d.Counts[crm.DeliveryLogged] != 2 || len(d.Deliveries) != 1 || d.NextCursor == "" {
		t.Errorf("deliveries page %+v, %v", d, err)
	}
}

func TestClientErrors(t *testing.T) {
	cs := newContractServer(t, func(c *server.Config) { c.RequestsPerSecond = 0.2 })
	ctx := context.Background()
	_, err := cs.client("wrong").Recipients(ctx, nil, "", 0)
	if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusUnauthorized || !strings.Contains(err.Error(), "API key") {
		t.Errorf("wrong key: %v", err)
	}
	c := cs.client(apiKey)
	req := crm.NewsletterRequest{NewsletterID: "n", Messages: []crm.Message{{To: "a@example.com", Subject: "S", Text: "T"}}}
	if _, err := c.SendNewsletter(ctx, "k1", req); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendNewsletter(ctx, "k2", req)
	se, ok := httpapi.AsStatusError(err)
	if !ok || se.StatusCode != http.StatusTooManyRequests || !se.Retryable() || se.RetryAfter < time.Second {
		t.Errorf("over the request rate: %v (%+v)", err, se)
	}
	_, err = crmclient.New(crmclient.Options{BaseURL: "http://127.0.0.1:1", APIKey: apiKey}).ImportContacts(ctx, strings.NewReader(contacts))
	if _, isStatus := httpapi.AsStatusError(err); err == nil || isStatus || !strings.HasPrefix(err.Error(), "crm import contacts:") {
		t.Errorf("unreachable CRM: %v", err)
	}
	_, err = c.ImportContacts(ctx, strings.NewReader("name\nAnn\n"))
	if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusBadRequest || se.Detail.Code != "invalid_csv" {
		t.Errorf("bad CSV: %v", err)
	}
}
