package gdocs

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/halcytone/contentgen/sources"
)

const weeklyID = "1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE"

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestNewRefusesBadCredentials(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"missing file", filepath.Join(t.TempDir(), "absent.json"), "absent.json"},
		{"not JSON", writeFile(t, "not json"), "not a JSON key file"},
		{"user credentials", writeFile(t, `{"type":"authorized_user","client_id":"x","client_secret":"y","refresh_token":"z"}`),
			"not a usable service-account key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(context.Background(), Options{CredentialsFile: tt.file})
			if !errors.Is(err, sources.ErrAuth) {
				t.Fatalf("err = %v, want ErrAuth", err)
			}
			for _, want := range []string{tt.want, "GOOGLE_APPLICATION_CREDENTIALS", "client_email"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestApplicationDefaultCredentials(t *testing.T) {
	g := newFakeGoogle(t)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", g.serviceAccountFile(t, testKey()))
	src := newSource(t, Options{Endpoint: g.srv.URL})
	if _, err := src.Fetch(context.Background(), weeklyID); err != nil {
		t.Fatal(err)
	}

	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "absent.json"))
	if _, err := New(context.Background(), Options{}); !errors.Is(err, sources.ErrAuth) {
		t.Errorf("missing ADC file: err = %v, want ErrAuth", err)
	}
}

func TestFetchErrors(t *testing.T) {
	throttled := reply{status: 429, file: "errors/rate_limited.json", header: http.Header{"Retry-After": {"0"}}}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const email = "newsletter@halcytone-content.iam.gserviceaccount.com"
	tests := []struct {
		name     string
		key      *rsa.PrivateKey
		tokens   []reply
		docs     []reply
		id       string
		sentinel error
		status   int // of the wrapped *googleapi.Error, when retryable
		mentions []string
	}{
		{name: "key the token endpoint rejects", key: otherKey, sentinel: sources.ErrAuth,
			mentions: []string{weeklyID, "GOOGLE_APPLICATION_CREDENTIALS", "Invalid JWT Signature"}},
		{name: "unknown client", tokens: []reply{{status: 401, file: "errors/invalid_client.json"}}, sentinel: sources.ErrAuth,
			mentions: []string{weeklyID, "share the document with its client_email"}},
		{name: "token revoked at the API", docs: []reply{{status: 401, file: "errors/unauthenticated.json"}}, sentinel: sources.ErrAuth,
			mentions: []string{weeklyID, "GOOGLE_APPLICATION_CREDENTIALS"}},
		{name: "no such document", id: "1NoSuchDocument", sentinel: sources.ErrNotFound,
			mentions: []string{"1NoSuchDocument", "between /d/ and /edit", email}},
		{name: "not shared", docs: []reply{{status: 403, file: "errors/permission_denied.json"}}, sentinel: sources.ErrPermission,
			mentions: []string{weeklyID, "share the document with " + email}},
		{name: "quota reported as 403", docs: []reply{{status: 403, file: "errors/user_rate_limit.json"}}, status: 403,
			mentions: []string{weeklyID, "try again later"}},
		{name: "still rate limited", docs: []reply{throttled, throttled, throttled, throttled}, status: 429, mentions: []string{weeklyID, "try again later"}},
		{name: "server error", docs: []reply{{status: 503, file: "errors/unavailable.json"}}, status: 503,
			mentions: []string{weeklyID, "try again later"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGoogle(t)
			g.tokens, g.docs = tt.tokens, tt.docs
			key := tt.key
			if key == nil {
				key = testKey()
			}
			o := Options{CredentialsFile: g.serviceAccountFile(t, key), Endpoint: g.srv.URL}
			id := tt.id
			if id == "" {
				id = weeklyID
			}
			_, err := newSource(t, o).Fetch(context.Background(), id)
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			for _, s := range []error{sources.ErrAuth, sources.ErrNotFound, sources.ErrPermission, sources.ErrInvalid} {
				if got := errors.Is(err, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = %v; err = %v", s, got, err)
				}
			}
			if tt.status != 0 {
				var gerr *googleapi.Error
				if !errors.As(err, &gerr) || gerr.Code != tt.status {
					t.Errorf("err = %v, want it to wrap the API's %d answer", err, tt.status)
				}
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestRateLimitedThenSucceeds(t *testing.T) {
	g := newFakeGoogle(t)
	g.docs = []reply{{status: 429, file: "errors/rate_limited.json", header: http.Header{"Retry-After": {"1"}}}}
	src := newSource(t, g.options(t))
	start := time.Now()
	doc, err := src.Fetch(context.Background(), weeklyID)
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("succeeded after %v, before the 1s Retry-After", elapsed)
	}
	if doc.Title != "Halcytone Weekly" || g.count("/v1/documents/"+weeklyID) != 2 {
		t.Errorf("title %q after %d requests, want the document after 2", doc.Title, g.count("/v1/documents/"+weeklyID))
	}
}
