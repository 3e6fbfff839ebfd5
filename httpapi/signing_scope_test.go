package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/httpapi"
)

// recorder keeps the last request it carried.
type recorder struct {
	base http.RoundTripper
	last *http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.last = req
	return r.base.RoundTrip(req)
}

// TestSignatureCoversTheRequest replays a signed request's signature on a
// request that differs in method, path, query or Idempotency-Key, with the
// same body and timestamp: each is refused, so a captured signature cannot
// be moved to another endpoint, parameter set or idempotency key.
func TestSignatureCoversTheRequest(t *testing.T) {
	srv := echoSigned(t, httpapi.NewSignatures("s1"))
	rec := &recorder{base: http.DefaultTransport}
	c := &http.Client{Transport: &httpapi.SigningTransport{Secret: "s1", Base: rec}}
	body := `{"newsletter_id":"n1"}`
	send := func(method, target, key string, hdr http.Header) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, target, strings.NewReader(body))
		if key != "" {
			req.Header.Set(httpapi.HeaderIdempotencyKey, key)
		}
		for k, v := range hdr {
			req.Header[k] = v
		}
		client := http.DefaultClient
		if hdr == nil {
			client = c
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := send(http.MethodPost, srv.URL+"/api/v1/send?segment=beta", "k1", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed request: status %d", resp.StatusCode)
	}
	captured := http.Header{
		httpapi.HeaderSignature:          {rec.last.Header.Get(httpapi.HeaderSignature)},
		httpapi.HeaderSignatureTimestamp: {rec.last.Header.Get(httpapi.HeaderSignatureTimestamp)},
	}
	if resp := send(http.MethodPost, srv.URL+"/api/v1/send?segment=beta", "k1", captured); resp.StatusCode != http.StatusOK {
		t.Fatalf("the same request with its own signature: status %d", resp.StatusCode)
	}
	for name, r := range map[string]struct{ method, target, key string }{
		"method":              {http.MethodPut, "/api/v1/send?segment=beta", "k1"},
		"path":                {http.MethodPost, "/api/v1/delete?segment=beta", "k1"},
		"query":               {http.MethodPost, "/api/v1/send?segment=all", "k1"},
		"query added":         {http.MethodPost, "/api/v1/send?segment=beta&limit=1", "k1"},
		"idempotency key":     {http.MethodPost, "/api/v1/send?segment=beta", "k2"},
		"idempotency key off": {http.MethodPost, "/api/v1/send?segment=beta", ""},
	} {
		if resp := send(r.method, srv.URL+r.target, r.key, captured); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("signature replayed with another %s: status %d, want 401", name, resp.StatusCode)
		}
	}
}
