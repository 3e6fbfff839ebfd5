package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errorOf(t *testing.T, body []byte) httpapi.ErrorDetail {
	t.Helper()
	var eb httpapi.ErrorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return eb.Error
}

func TestAuth(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	importCSV(t, s, storeContacts)
	h := s.Handler()
	body := jsonBody(t, batch("n1", "a@example.com"))
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"no key", "", http.StatusUnauthorized},
		{"wrong key", "Bearer nope", http.StatusUnauthorized},
		{"not bearer", "Basic " + testKey, http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
		{"current key", "Bearer " + testKey, http.StatusAccepted},
		{"previous key during rotation", "Bearer " + testOldKey, http.StatusAccepted},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rowCounts(t, s.db)
			hdr := map[string]string{httpapi.HeaderIdempotencyKey: fmt.Sprint("auth-", i), "Authorization": tt.header}
			for _, target := range []struct{ method, path, body string }{
				{http.MethodPost, crm.PathNewsletter, body},
				{http.MethodGet, crm.PathRecipients, ""},
				{http.MethodGet, crm.PathDeliveries + "?newsletter_id=n1", ""},
				{http.MethodGet, crm.NewsletterReportPath("n1"), ""},
			} {
				rec := call(h, target.method, target.path, "", hdr, target.body)
				want := tt.want
				if want == http.StatusAccepted && target.method == http.MethodGet {
					want = http.StatusOK
				}
				if rec.Code != want {
					t.Errorf("%s %s = %d %s, want %d", target.method, target.path, rec.Code, rec.Body, want)
				}
			}
			rec := call(h, http.MethodPost, crm.PathContacts, "", map[string]string{"Authorization": tt.header, "Content-Type": "text/csv"},
				"email,name\nnew@example.com,New\n")
			if tt.want == http.StatusUnauthorized {
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("import = %d", rec.Code)
				}
				if after := rowCounts(t, s.db); !maps.Equal(before, after) {
					t.Errorf("rows changed on a 401: %v -> %v", before, after)
				}
			}
		})
	}
}

func TestNewsletterRejectionsWriteNothing(t *testing.T) {
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.MaxBodyBytes = 4096 })
	importCSV(t, s, storeContacts)
	h := s.Handler()
	good := jsonBody(t, batch("n1", "a@example.com"))
	tooMany := batch("n1")
	for i := range crm.MaxMessagesPerRequest + 1 {
		tooMany.Messages = append(tooMany.Messages, crm.Message{To: fmt.Sprintf("r%d@x.io", i), Variant: "v1"})
	}
	big := newTestServer(t, s.db, nil).Handler() // default 32 MiB limit, for the 1001 messages
	mod := func(f func(*crm.NewsletterRequest)) string {
		r := batch("n1", "a@example.com")
		f(&r)
		return jsonBody(t, r)
	}
	tests := []struct {
		name      string
		h         http.Handler
		key, body string
		status    int
		field     string
	}{
		{"missing idempotency key", h, "", good, 400, httpapi.HeaderIdempotencyKey},
		{"idempotency key too long", h, strings.Repeat("k", 300), good, 400, httpapi.HeaderIdempotencyKey},
		{"unknown field", h, "k", strings.Replace(good, `"messages"`, `"mesages"`, 1), 400, "mesages"},
		{"unknown nested field", h, "k", strings.Replace(good, `"variant":"v1"`, `"variant":"v1","colour":"red"`, 1), 400, "colour"},
		{"trailing data", h, "k", good + `{"x":1}`, 400, ""},
		{"wrong type", h, "k", `{"newsletter_id":5,"messages":[]}`, 400, "newsletter_id"},
		{"empty body", h, "k", "", 400, ""},
		{"oversized body", h, "k", mod(func(r *crm.NewsletterRequest) { r.Variants[0].HTML = strings.Repeat("x", 5000) }), 413, ""},
		{"too many messages", big, "k", jsonBody(t, tooMany), 400, "messages"},
		{"no messages", h, "k", mod(func(r *crm.NewsletterRequest) { r.Messages = nil }), 400, "messages"},
		{"no newsletter id", h, "k", mod(func(r *crm.NewsletterRequest) { r.NewsletterID = "" }), 400, "newsletter_id"},
		{"message without to", h, "k", mod(func(r *crm.NewsletterRequest) { r.Messages[0].To = "" }), 400, "messages[0].to"},
		{"unknown variant", h, "k", mod(func(r *crm.NewsletterRequest) { r.Messages[0].Variant = "v9" }), 400, "messages[0].variant"},
		{"duplicate variant", h, "k", mod(func(r *crm.NewsletterRequest) { r.Variants = append(r.Variants, r.Variants[0]) }), 400, "variants[1].id"},
		{"variant without body", h, "k", mod(func(r *crm.NewsletterRequest) { r.Variants[0].HTML, r.Variants[0].Text = "", "" }), 400, "variants[0].html"},
		{"own content without subject", h, "k", mod(func(r *crm.NewsletterRequest) {
			r.Messages[0] = crm.Message{To: "a@example.com", HTML: "<p>x</p>"}
		}), 400, "messages[0].subject"},
		{"variant and own content", h, "k", mod(func(r *crm.NewsletterRequest) { r.Messages[0].Subject = "S" }), 400, "messages[0].variant"},
		{"bad fallback name", h, "k", mod(func(r *crm.NewsletterRequest) { r.Variants[0].Fallbacks = map[string]string{"a b": "x"} }), 400, "variants[0].fallbacks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rowCounts(t, s.db)
			rec := call(tt.h, http.MethodPost, crm.PathNewsletter, testKey, map[string]string{httpapi.HeaderIdempotencyKey: tt.key}, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if d := errorOf(t, rec.Body.Bytes()); d.Field != tt.field || d.Message == "" || d.Code == "" {
				t.Errorf("error %+v, want field %q", d, tt.field)
			}
			if after := rowCounts(t, s.db); !maps.Equal(before, after) {
				t.Errorf("rows changed: %v -> %v", before, after)
			}
		})
	}
}

func TestIdempotency(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	importCSV(t, s, storeContacts)
	h := s.Handler()
	post := func(key, body string) (int, []byte) {
		rec := call(h, http.MethodPost, crm.PathNewsletter, testKey, map[string]string{httpapi.HeaderIdempotencyKey: key}, body)
		return rec.Code, rec.Body.Bytes()
	}
	body := jsonBody(t, batch("n1", "a@example.com", "b@example.com"))
	code, first := post("k1", body)
	if code != http.StatusAccepted {
		t.Fatalf("first: %d %s", code, first)
	}
	rows := rowCounts(t, s.db)

	t.Run("same key and body replays the first reply", func(t *testing.T) {
		code, again := post("k1", body)
		if code != http.StatusAccepted || !bytes.Equal(again, first) {
			t.Errorf("replay %d %s, want 202 %s", code, again, first)
		}
		if after := rowCounts(t, s.db); !maps.Equal(rows, after) {
			t.Errorf("replay wrote rows: %v -> %v", rows, after)
		}
	})
	t.Run("same key, different body is 422", func(t *testing.T) {
		code, reply := post("k1", jsonBody(t, batch("n1", "c@example.com")))
		if code != http.StatusUnprocessableEntity || errorOf(t, reply).Field != httpapi.HeaderIdempotencyKey {
			t.Errorf("got %d %s", code, reply)
		}
		if after := rowCounts(t, s.db); !maps.Equal(rows, after) {
			t.Errorf("422 wrote rows: %v -> %v", rows, after)
		}
	})
	t.Run("first request still in flight is 409", func(t *testing.T) {
		other := jsonBody(t, batch("n1", "d@example.com"))
		if _, err := s.claimKey(context.Background(), "k2", sha(other)); err != nil {
			t.Fatal(err)
		}
		before := rowCounts(t, s.db)
		rec := call(h, http.MethodPost, crm.PathNewsletter, testKey, map[string]string{httpapi.HeaderIdempotencyKey: "k2"}, other)
		if rec.Code != http.StatusConflict || rec.Header().Get("Retry-After") != "1" {
			t.Errorf("got %d Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
		if after := rowCounts(t, s.db); !maps.Equal(before, after) {
			t.Errorf("409 wrote rows: %v -> %v", before, after)
		}
	})
	t.Run("a stale in-flight claim is taken over", func(t *testing.T) {
		other := jsonBody(t, batch("n1", "e@example.com"))
		if _, err := s.db.Exec(`INSERT INTO idempotency_keys (key, request_sha256, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
			"k3", sha(other), keyInFlight, 1, 1); err != nil {
			t.Fatal(err)
		}
		if code, reply := post("k3", other); code != http.StatusAccepted {
			t.Errorf("got %d %s", code, reply)
		}
	})
	t.Run("another key for the same addresses gets duplicates", func(t *testing.T) {
		code, reply := post("k4", jsonBody(t, batch("n1", "b@example.com", "a@example.com", "f@example.com")))
		var resp crm.NewsletterResponse
		_ = json.Unmarshal(reply, &resp)
		if code != http.StatusAccepted || resp.Duplicate != 2 || resp.Accepted != 1 {
			t.Errorf("got %d %s", code, reply)
		}
	})
}

func sha(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

func TestPerMessageRejections(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	importCSV(t, s, storeContacts)
	var token string
	if err := s.db.QueryRow(`SELECT unsubscribe_token FROM contacts WHERE email = 'c@example.com'`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unsubscribe(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	resp := postBatch(t, s, "k1", batch("n1", "a@example.com", "not an address", "C@example.com", "Ann <a2@example.com>", "new@example.org"))
	want := []crm.MessageResult{
		{To: "a@example.com", Status: crm.StatusAccepted},
		{To: "not an address", Status: crm.StatusRejected, Reason: ReasonInvalidAddress},
		{To: "C@example.com", Status: crm.StatusRejected, Reason: ReasonUnsubscribed},
		{To: "Ann <a2@example.com>", Status: crm.StatusRejected, Reason: ReasonInvalidAddress},
		{To: "new@example.org", Status: crm.StatusAccepted},
	}
	for i, w := range want {
		if resp.Results[i] != w {
			t.Errorf("result %d = %+v, want %+v", i, resp.Results[i], w)
		}
	}
	if resp.Accepted != 2 || len(resp.Rejected) != 3 || resp.Rejected[1] != (crm.Rejection{To: "C@example.com", Reason: ReasonUnsubscribed}) {
		t.Errorf("reply %+v", resp)
	}
}

func TestRequestRateLimit(t *testing.T) {
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.RequestsPerSecond = 0.5 })
	h := s.Handler()
	post := func(key string) *http.Response {
		return call(h, http.MethodPost, crm.PathNewsletter, testKey, map[string]string{httpapi.HeaderIdempotencyKey: key},
			jsonBody(t, batch("n1", key+"@example.com"))).Result()
	}
	if r := post("one"); r.StatusCode != http.StatusAccepted {
		t.Fatalf("first request %d", r.StatusCode)
	}
	before := rowCounts(t, s.db)
	r := post("two")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "2" {
		t.Errorf("second request %d Retry-After %q, want 429 and 2", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if after := rowCounts(t, s.db); !maps.Equal(before, after) {
		t.Errorf("429 wrote rows: %v -> %v", before, after)
	}
}

func TestListQueryValidation(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	tests := []struct{ target, field string }{
		{crm.PathRecipients + "?limit=0", "limit"},
		{crm.PathRecipients + "?limit=1001", "limit"},
		{crm.PathRecipients + "?limit=ten", "limit"},
		{crm.PathRecipients + "?cursor=garbage", "cursor"},
		{crm.PathDeliveries, "newsletter_id"},
		{crm.PathDeliveries + "?newsletter_id=n1&status=returned", "status"},
		{crm.PathDeliveries + "?newsletter_id=n1&cursor=x", "cursor"},
	}
	for _, tt := range tests {
		rec := call(h, http.MethodGet, tt.target, testKey, nil, "")
		if rec.Code != http.StatusBadRequest || errorOf(t, rec.Body.Bytes()).Field != tt.field {
			t.Errorf("GET %s = %d %s, want 400 naming %s", tt.target, rec.Code, rec.Body, tt.field)
		}
	}
}
