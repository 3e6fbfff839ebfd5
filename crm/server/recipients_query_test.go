package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

// TestRecipientsRefusesUnparsableQuery checks that a query the CRM cannot
// read whole is answered 400, never with every contact.
func TestRecipientsRefusesUnparsableQuery(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	importCSV(t, s, "email,name,segments\nb@example.com,B,beta\np@example.com,P,pro\n")
	h := s.Handler()
	for _, q := range []string{
		"segment=%zz",            // bad escape: the whole pair would be dropped
		"segment=beta&x=%",       // a bad pair beside a good one
		"segment=beta;pro",       // ';' is no separator
		"segments=beta",          // a misspelt parameter would filter nothing
		"segment=",               // a blank segment names none
		"segment=beta&limit=1&z", // an unknown parameter
	} {
		rec := call(h, http.MethodGet, crm.PathRecipients+"?"+q, testKey, nil, "")
		if rec.Code != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400; body %s", q, rec.Code, rec.Body)
		}
	}
	rec := call(h, http.MethodGet, crm.PathRecipients+"?segment=beta&limit=10", testKey, nil, "")
	var page crm.RecipientsPage
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("valid query: %d %s", rec.Code, rec.Body)
	}
	if len(page.Recipients) != 1 || page.Recipients[0].Email != "b@example.com" {
		t.Errorf("?segment=beta gave %+v, want only b@example.com", page.Recipients)
	}
}

// TestDeliveriesRefusesWhatItCannotRead checks that GET /api/v1/deliveries
// answers a query it cannot read whole with a 400 that says what is wrong
// and how to fix it, never with a list it was not asked for.
func TestDeliveriesRefusesWhatItCannotRead(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	h := s.Handler()
	tests := []struct {
		query, code, field string
		says               []string
	}{
		{"newsletter_id=n1&state=sent", "invalid_query", "query", []string{`unknown parameter "state"`, "newsletter_id, status, cursor and limit"}},
		{"newsletter=n1", "invalid_query", "query", []string{`unknown parameter "newsletter"`}},
		{"newsletter_id=n1&limit=5&x", "invalid_query", "query", []string{`unknown parameter "x"`}},
		{"newsletter_id=%zz", "invalid_query", "query", []string{"cannot be read", "percent-encode"}},
		{"newsletter_id=n1;status=sent", "invalid_query", "query", []string{"cannot be read"}},
		{"newsletter_id=n1&newsletter_id=n2", "invalid_query", "query", []string{"newsletter_id is given 2 times", "give it once"}},
		{"newsletter_id=n1&status=sent&status=failed", "invalid_query", "query", []string{"status is given 2 times"}},
		{"newsletter_id=+", "invalid_request", "newsletter_id", []string{"newsletter_id is required", "?newsletter_id="}},
		{"newsletter_id=n1&status=delivered", "invalid_request", "status", []string{`"delivered"`, "queued, sent, failed, logged, bounced or complained"}},
		{"newsletter_id=n1&limit=ten", "invalid_limit", "limit", []string{"a number from 1 to", `"ten"`}},
		{"newsletter_id=n1&limit=0", "invalid_limit", "limit", []string{"a number from 1 to"}},
		{"newsletter_id=n1&cursor=x", "invalid_cursor", "cursor", []string{"start again without a cursor"}},
	}
	for _, tt := range tests {
		rec := call(h, http.MethodGet, crm.PathDeliveries+"?"+tt.query, testKey, nil, "")
		if rec.Code != http.StatusBadRequest {
			t.Errorf("?%s: status %d, want 400; body %s", tt.query, rec.Code, rec.Body)
			continue
		}
		e := errorOf(t, rec.Body.Bytes())
		if e.Code != tt.code || e.Field != tt.field {
			t.Errorf("?%s: error %s on %q, want %s on %q", tt.query, e.Code, e.Field, tt.code, tt.field)
		}
		for _, want := range tt.says {
			if !strings.Contains(e.Message, want) {
				t.Errorf("?%s: message %q does not say %q", tt.query, e.Message, want)
			}
		}
	}
	rec := call(h, http.MethodGet, crm.PathDeliveries+"?newsletter_id=n1&status=sent&limit=10", testKey, nil, "")
	var page crm.DeliveriesPage
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != http.StatusOK || page.NewsletterID != "n1" {
		t.Fatalf("valid query: %d %s", rec.Code, rec.Body)
	}
}
