package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/httpapi"
)

func TestSignMatchesSpec(t *testing.T) {
	// The worked examples in docs/crm-contract.md, computed there with openssl.
	body := `{"newsletter_id":"newsletter-2026-W48","variants":[{"id":"all","subject":"Halcytone weekly",` +
		`"html":"<p>Hi {{first_name}}</p>","text":"Hi {{first_name}}"}],` +
		`"messages":[{"to":"reader@example.com","name":"Ada Reader","variant":"all"}]}`
	post := httpapi.Signed{Method: "POST", Path: "/api/v1/notifications/newsletter", IdempotencyKey: "newsletter-2026-W48/page-0", Body: []byte(body)}
	const want = "v2=0502c8b9989be8958dc9ccf944db1fb16a0cfa79c90ca41dd8550c794d56986c"
	if got := httpapi.Sign("whsec-example", 1795000000, post); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
	get := httpapi.Signed{Method: "GET", Path: "/api/v1/recipients", Query: "segment=beta&limit=2"}
	if got, want := httpapi.Sign("whsec-example", 1795000000, get), "v2=b443ed733b8d7e4bc12fd9bd0d383650243ef419c5d58af1c64d51d3d9d68e9f"; got != want {
		t.Errorf("Sign GET = %s, want %s", got, want)
	}
	sum := sha256.Sum256([]byte(`{"hello":"world"}`))
	m := hmac.New(sha256.New, []byte("whsec-example"))
	m.Write([]byte("v2\n1795000000\nPUT\n/a%2Fb\nx=1\nk\n" + hex.EncodeToString(sum[:])))
	s := httpapi.Signed{Method: "put", Path: "/a%2Fb", Query: "x=1", IdempotencyKey: "k", Body: []byte(`{"hello":"world"}`)}
	if got, want := httpapi.Sign("whsec-example", 1795000000, s), "v2="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

// echoSigned serves handler behind Require and echoes the body it got.
func echoSigned(t *testing.T, sigs *httpapi.Signatures) *httptest.Server {
	srv := httptest.NewServer(sigs.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"body": string(b), "length": strconv.FormatInt(r.ContentLength, 10)})
	}), 1<<20))
	t.Cleanup(srv.Close)
	return srv
}

func TestSigningTransportRoundTrip(t *testing.T) {
	srv := echoSigned(t, httpapi.NewSignatures("new-secret", "old-secret"))
	for _, secret := range []string{"new-secret", "old-secret"} {
		base := &http.Client{Timeout: 5 * time.Second}
		c := httpapi.NewClient(srv.URL, "", httpapi.WithSigning(base, secret), 0)
		if base.Transport != nil {
			t.Fatal("WithSigning changed the client it was given")
		}
		var out map[string]string
		body := map[string]string{"newsletter_id": "newsletter-2026-W48"}
		if err := c.Do(t.Context(), "post", http.MethodPost, "/", nil, body, &out); err != nil {
			t.Fatalf("secret %s: %v", secret, err)
		}
		want, _ := json.Marshal(body)
		if out["body"] != string(want) || out["length"] != strconv.Itoa(len(want)) {
			t.Errorf("handler saw body %q length %s, want %s", out["body"], out["length"], want)
		}
		if err := c.Do(t.Context(), "get", http.MethodGet, "/", nil, nil, &out); err != nil || out["body"] != "" {
			t.Errorf("signed GET: %v, body %q", err, out["body"])
		}
	}
	c := httpapi.NewClient(srv.URL, "", httpapi.WithSigning(nil, "wrong"), 0)
	err := c.Do(t.Context(), "post", http.MethodPost, "/", nil, map[string]int{"a": 1}, nil)
	if se, ok := httpapi.AsStatusError(err); !ok || se.Detail.Code != "signature_invalid" {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestRequireSignature(t *testing.T) {
	now := time.Unix(1795000000, 0)
	sigs := httpapi.NewSignatures("s1")
	sigs.Now = func() time.Time { return now }
	srv := echoSigned(t, sigs)
	body := `{"a":1}`
	ts := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	sign := func(secret string, d time.Duration, b string) string {
		return httpapi.Sign(secret, now.Add(d).Unix(), httpapi.Signed{Method: http.MethodPost, Path: "/", Body: []byte(b)})
	}
	tests := []struct {
		name, ts, sig, body string
		wantCode            string
	}{
		{"valid", ts(0), sign("s1", 0, body), body, ""},
		{"4 minutes old", ts(-4 * time.Minute), sign("s1", -4*time.Minute, body), body, ""},
		{"missing both", "", "", body, "signature_missing"},
		{"missing timestamp", "", sign("s1", 0, body), body, "signature_missing"},
		{"missing signature", ts(0), "", body, "signature_missing"},
		{"wrong secret", ts(0), sign("s2", 0, body), body, "signature_invalid"},
		{"tampered body", ts(0), sign("s1", 0, body), `{"a":2}`, "signature_invalid"},
		{"timestamp changed", ts(time.Second), sign("s1", 0, body), body, "signature_invalid"},
		{"no version", ts(0), strings.TrimPrefix(sign("s1", 0, body), "v2="), body, "signature_invalid"},
		{"v1, body only", ts(0), "v1=" + v1(ts(0), body), body, "signature_invalid"},
		{"not hex", ts(0), "v2=zz", body, "signature_invalid"},
		{"not a number", "soon", sign("s1", 0, body), body, "signature_invalid"},
		{"6 minutes old", ts(-6 * time.Minute), sign("s1", -6*time.Minute, body), body, "signature_expired"},
		{"6 minutes ahead", ts(6 * time.Minute), sign("s1", 6*time.Minute, body), body, "signature_expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(tt.body))
			if tt.ts != "" {
				req.Header.Set(httpapi.HeaderSignatureTimestamp, tt.ts)
			}
			if tt.sig != "" {
				req.Header.Set(httpapi.HeaderSignature, tt.sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if tt.wantCode == "" {
				if resp.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			se := httpapi.ReadError("test", resp)
			if se.StatusCode != http.StatusUnauthorized || se.Detail.Code != tt.wantCode {
				t.Errorf("got %v, want 401 %s", se, tt.wantCode)
			}
		})
	}
}

// v1 is the retired signature over the timestamp and body only.
func v1(ts, body string) string {
	m := hmac.New(sha256.New, []byte("s1"))
	m.Write([]byte(ts + "." + body))
	return hex.EncodeToString(m.Sum(nil))
}
