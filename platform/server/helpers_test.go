package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/pgtest"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/platform"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Two keys are accepted at once, as during a key rotation.
const (
	testKey    = "platform-key-current"
	testOldKey = "platform-key-previous"
)

type backend struct {
	name string
	open func(t *testing.T) *sqldb.DB
}

// backends are the databases the store tests run against.
var backends = []backend{
	{"sqlite", openSQLite},
	{"postgres", func(t *testing.T) *sqldb.DB { return openDB(t, pgtest.DSN(t)) }},
}

func openSQLite(t *testing.T) *sqldb.DB {
	return openDB(t, filepath.Join(t.TempDir(), "platform.db"))
}

func openDB(t testing.TB, url string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newTestServer(t testing.TB, db *sqldb.DB, edit func(*Config)) *Server {
	t.Helper()
	cfg := Config{
		DB: db, Keys: httpapi.NewKeys(testKey, testOldKey), PublicURL: "https://halcytone.example/",
		SiteName: "Halcytone", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startHTTP serves s on a loopback port and returns its base URL.
func startHTTP(t testing.TB, s *Server) string {
	t.Helper()
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}

// sampleRequest is an update like the renderer's web channel produces.
func sampleRequest(slug string) platform.UpdateRequest {
	return platform.UpdateRequest{
		Slug:    slug,
		Title:   "Halcytone Weekly",
		Summary: "Breathscape 2.3 ships box breathing; the Pulse band reaches beta testers.",
		BodyHTML: `<article class="newsletter-update" data-edition="2026-W48">
<p class="update-meta"><time datetime="2026-11-23">23 November 2026</time> · Edition 2026-W48</p>
<section id="breathscape" class="update-section update-section-breathscape">
<h2>Breathscape</h2>
<p>Version 2.3 adds <strong>box breathing</strong> with haptic cues.</p>
</section>
<section id="hardware" class="update-section update-section-hardware">
<h2>Hardware</h2>
<p>The Pulse band reached 300 beta testers.</p>
</section>
</article>`,
		BodyMarkdown:   "## Breathscape\n\nVersion 2.3 adds **box breathing**.\n\n## Hardware\n\nThe Pulse band reached 300 beta testers.\n",
		Tags:           []string{"breathscape", "hardware"},
		Edition:        "2026-W48",
		SourceRevision: "rev-42",
		Sections: []content.SectionPrint{
			{Key: "breathscape", Heading: "Breathscape", Fingerprint: "f1", Text: "Version 2.3 adds box breathing."},
			{Key: "hardware", Heading: "Hardware", Fingerprint: "f2"},
		},
	}
}

// reply is a raw HTTP reply.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) errorBody(t *testing.T) httpapi.ErrorDetail {
	t.Helper()
	var eb httpapi.ErrorBody
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return eb.Error
}

// do sends a raw request; key, when set, is sent as the bearer key.
func do(t *testing.T, method, url, key string, hdr http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func countUpdates(t testing.TB, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM updates`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
