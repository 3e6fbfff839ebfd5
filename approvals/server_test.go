package approvals_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
)

func newServer(t *testing.T, burst int) (*httptest.Server, *token.Keyring) {
	t.Helper()
	entry, _ := token.NewKey("k1")
	keys, err := token.ParseKeys(entry)
	if err != nil {
		t.Fatal(err)
	}
	// No Temporal client: these requests are refused before any call.
	srv := httptest.NewServer(approvals.New(approvals.Config{Keys: keys, RatePerMinute: 1, Burst: burst}).Handler())
	t.Cleanup(srv.Close)
	return srv, keys
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func TestRefusesForgedAndExpiredWithoutTemporal(t *testing.T) {
	srv, keys := newServer(t, 10)
	other, _ := token.NewKey("k1")
	otherKeys, _ := token.ParseKeys(other)
	claims := token.Claims{WorkflowID: "newsletter-2026-W49", RunID: "r", Edition: "2026-W49", Revision: "abc",
		Approver: "ana@example.com", Action: token.ActionApprove, Expires: time.Now().Add(time.Hour).Unix()}
	forged, _ := otherKeys.Mint(claims)
	claims.Expires = time.Now().Add(-time.Minute).Unix()
	expired, _ := keys.Mint(claims)
	for _, tt := range []struct {
		name, tok, kind string
		code            int
	}{
		{"forged", forged, token.Forged, http.StatusForbidden},
		{"garbage", "not-a-token", token.Malformed, http.StatusForbidden},
		{"expired", expired, token.Expired, http.StatusGone},
	} {
		resp, body := get(t, srv.URL+"/decide?token="+tt.tok)
		if resp.StatusCode != tt.code || !strings.Contains(body, `data-kind="`+tt.kind+`"`) {
			t.Errorf("%s: %d, want %d and the %s page:\n%.300s", tt.name, resp.StatusCode, tt.code, tt.kind, body)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != approvals.ContentSecurityPolicy || strings.Contains(body, "<script") {
			t.Errorf("%s: CSP %q or a script on the page", tt.name, csp)
		}
	}
	resp, err := http.PostForm(srv.URL+"/decide", map[string][]string{"token": {forged}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST forged: %d, want 403", resp.StatusCode)
	}
}

func TestRateLimitPerClient(t *testing.T) {
	srv, _ := newServer(t, 3)
	codes := []int{}
	for range 5 {
		resp, _ := get(t, srv.URL+"/decide?token=x")
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] == http.StatusTooManyRequests || codes[4] != http.StatusTooManyRequests {
		t.Errorf("status codes %v: want the first requests answered and the fifth limited", codes)
	}
}

func TestUnreachableTemporalSaysSo(t *testing.T) {
	entry, _ := token.NewKey("k1")
	keys, _ := token.ParseKeys(entry)
	c, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := httptest.NewServer(approvals.New(approvals.Config{Temporal: c, Keys: keys, Timeout: 2 * time.Second}).Handler())
	defer srv.Close()
	tok, _ := keys.Mint(token.Claims{WorkflowID: "newsletter-2026-W49", RunID: "r", Edition: "2026-W49", Revision: "abc",
		Approver: "ana@example.com", Action: token.ActionApprove, Expires: time.Now().Add(time.Hour).Unix()})
	resp, body := get(t, srv.URL+"/decide?token="+tok)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `data-kind="unavailable"`) {
		t.Errorf("Temporal down: %d, want 503 and the unavailable page:\n%.300s", resp.StatusCode, body)
	}
}
