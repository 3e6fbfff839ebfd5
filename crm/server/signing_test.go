package server

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
)

// Two signing secrets are accepted at once, as during a rotation.
const (
	testSecret    = "signing-current"
	testOldSecret = "signing-previous"
)

func signedServer(t *testing.T) *Server {
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.SigningSecrets = []string{testSecret, testOldSecret} })
	importCSV(t, s, storeContacts)
	return s
}

func TestSignedRequests(t *testing.T) {
	s := signedServer(t)
	h := s.Handler()
	body := jsonBody(t, batch("n1", "a@example.com"))
	now := time.Now()
	sig := func(secret string, age time.Duration, b string) func(key string) map[string]string {
		ts := now.Add(-age).Unix()
		return func(key string) map[string]string {
			return map[string]string{
				httpapi.HeaderSignatureTimestamp: strconv.FormatInt(ts, 10),
				httpapi.HeaderSignature:          httpapi.Sign(secret, ts, newsletterSigned(key, b)),
			}
		}
	}
	tests := []struct {
		name     string
		hdr      func(key string) map[string]string
		send     string
		wantCode string // empty: accepted
	}{
		{"current secret", sig(testSecret, 0, body), body, ""},
		{"previous secret during rotation", sig(testOldSecret, 0, body), body, ""},
		{"two minutes old", sig(testSecret, 2*time.Minute, body), body, ""},
		{"no signature", nil, body, "signature_missing"},
		{"wrong secret", sig("not-the-secret", 0, body), body, "signature_invalid"},
		{"tampered body", sig(testSecret, 0, body), strings.Replace(body, "a@example.com", "b@example.com", 1), "signature_invalid"},
		{"six minutes old", sig(testSecret, 6*time.Minute, body), body, "signature_expired"},
		{"six minutes ahead", sig(testSecret, -6*time.Minute, body), body, "signature_expired"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rowCounts(t, s.db)
			key := fmt.Sprint("sig-", i)
			hdr := map[string]string{httpapi.HeaderIdempotencyKey: key}
			if tt.hdr != nil {
				maps.Copy(hdr, tt.hdr(key))
			}
			rec := call(h, http.MethodPost, crm.PathNewsletter, testKey, hdr, tt.send)
			after := rowCounts(t, s.db)
			if tt.wantCode == "" {
				if rec.Code != http.StatusAccepted {
					t.Fatalf("status %d %s, want 202", rec.Code, rec.Body)
				}
				if after["idempotency_keys"] != before["idempotency_keys"]+1 {
					t.Errorf("accepted request stored nothing: %v -> %v", before, after)
				}
				return
			}
			if rec.Code != http.StatusUnauthorized || errorOf(t, rec.Body.Bytes()).Code != tt.wantCode {
				t.Errorf("got %d %s, want 401 %s", rec.Code, rec.Body, tt.wantCode)
			}
			if !maps.Equal(before, after) {
				t.Errorf("rows changed on a 401: %v -> %v", before, after)
			}
		})
	}
}

func TestSignedRequestsNeedTheAPIKeyToo(t *testing.T) {
	h := signedServer(t).Handler()
	body := jsonBody(t, batch("n1", "a@example.com"))
	ts := time.Now().Unix()
	hdr := map[string]string{
		httpapi.HeaderIdempotencyKey:     "k",
		httpapi.HeaderSignatureTimestamp: strconv.FormatInt(ts, 10),
		httpapi.HeaderSignature:          httpapi.Sign(testSecret, ts, newsletterSigned("k", body)),
	}
	rec := call(h, http.MethodPost, crm.PathNewsletter, "wrong-key", hdr, body)
	if rec.Code != http.StatusUnauthorized || errorOf(t, rec.Body.Bytes()).Code != "unauthorized" {
		t.Errorf("got %d %s, want 401 unauthorized", rec.Code, rec.Body)
	}
	// Pages people open from an email are never signed.
	if rec := call(h, http.MethodGet, "/healthz", "", nil, ""); rec.Code != http.StatusOK {
		t.Errorf("healthz = %d", rec.Code)
	}
	if rec := call(h, http.MethodGet, crm.PathUnsubscribe+"?token=nope", "", nil, ""); rec.Code == http.StatusUnauthorized {
		t.Errorf("unsubscribe page asks for a signature")
	}
}

// TestClientSigns runs every client call against a server that requires
// signatures: GET without a body, JSON and a streamed CSV upload.
func TestClientSigns(t *testing.T) {
	s := signedServer(t)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := crmclient.New(crmclient.Options{BaseURL: srv.URL, APIKey: testKey, SigningSecret: testOldSecret})
	ctx := t.Context()
	if page, err := c.Recipients(ctx, []string{"beta"}, "", 10); err != nil || len(page.Recipients) != 2 {
		t.Fatalf("recipients: %d, %v", len(page.Recipients), err)
	}
	if res, err := c.SendNewsletter(ctx, "signed-1", batch("n1", "a@example.com")); err != nil || res.Accepted != 1 {
		t.Fatalf("send: %+v, %v", res, err)
	}
	if res, err := c.ImportContacts(ctx, strings.NewReader("email,name\nnew@example.com,New\n")); err != nil || res.Imported != 1 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	if _, err := c.Deliveries(ctx, "n1", "", "", 0); err != nil {
		t.Fatalf("deliveries: %v", err)
	}
	unsigned := crmclient.New(crmclient.Options{BaseURL: srv.URL, APIKey: testKey})
	_, err := unsigned.Recipients(ctx, nil, "", 0)
	if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusUnauthorized || se.Detail.Code != "signature_missing" {
		t.Errorf("unsigned client: %v, want 401 signature_missing", err)
	}
}

// newsletterSigned is what the signature of a POST of body to the
// newsletter endpoint with Idempotency-Key key covers.
func newsletterSigned(key, body string) httpapi.Signed {
	return httpapi.Signed{Method: http.MethodPost, Path: crm.PathNewsletter, IdempotencyKey: key, Body: []byte(body)}
}
