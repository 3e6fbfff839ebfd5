package server

import (
	"encoding/json"
	"net/http"
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
