package markdown

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/sources"
)

const cmsDoc = "---\ntitle: From the CMS\n---\n## Tips\n\nExhale slowly.\n"

// cms serves Markdown the way an internal CMS would, with failure paths.
func cms(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	serve := func(path, ct string, headers map[string]string, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer cms-key" {
				http.Error(w, "missing key", http.StatusUnauthorized)
				return
			}
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			_, _ = w.Write([]byte(body))
		})
	}
	serve("/etag.md", "text/markdown; charset=utf-8", map[string]string{"ETag": `"v42"`, "Last-Modified": "Mon, 23 Nov 2026 08:00:00 GMT"}, cmsDoc)
	serve("/modified.md", "text/x-markdown", map[string]string{"Last-Modified": "Mon, 23 Nov 2026 08:00:00 GMT"}, cmsDoc)
	serve("/plain", "text/plain", nil, cmsDoc)
	serve("/untyped", "", nil, cmsDoc)
	serve("/page", "text/html; charset=utf-8", nil, "<html></html>")
	serve("/big", "text/markdown", nil, strings.Repeat("x", 2048))
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/markdown")
		for range 8 { // flushed chunks: no Content-Length
			_, _ = w.Write([]byte(strings.Repeat("y", 256)))
			w.(http.Flusher).Flush()
		}
	})
	for path, code := range map[string]int{"/gone": 404, "/forbidden": 403, "/busy": 503, "/limited": 429, "/bad": 400} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "reason from the CMS", code)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func cmsSource(srv *httptest.Server, max int64) *Source {
	return New(Options{HTTPClient: srv.Client(), MaxBytes: max, Header: http.Header{"Authorization": {"Bearer cms-key"}}})
}

func TestFetchURL(t *testing.T) {
	srv := cms(t)
	tests := []struct {
		path, revision string
	}{
		{"/etag.md", `etag:"v42"`},
		{"/modified.md", "last-modified:Mon, 23 Nov 2026 08:00:00 GMT"},
		{"/plain", hashRevision([]byte(cmsDoc))},
		{"/untyped", hashRevision([]byte(cmsDoc))},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			d, err := cmsSource(srv, 0).Fetch(context.Background(), srv.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != "From the CMS" || d.Revision != tt.revision {
				t.Errorf("title %q revision %q, want %q", d.Title, d.Revision, tt.revision)
			}
			if p := parse(t, d); len(p.Sections) != 1 || p.Sections[0].Category != "tips" {
				t.Errorf("sections %+v", p.Sections)
			}
		})
	}
}

func TestFetchURLSendsHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = w.Write([]byte("## Tips\n"))
	}))
	defer srv.Close()
	src := New(Options{HTTPClient: srv.Client(), Header: http.Header{"Authorization": {"Bearer k"}, "Accept": {"*/*"}}})
	if _, err := src.Fetch(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer k" || !strings.HasPrefix(got.Get("Accept"), "text/markdown") {
		t.Errorf("headers %v", got)
	}
}

func TestFetchURLErrors(t *testing.T) {
	srv := cms(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name string
		src  *Source
		url  string
		is   error // nil: retryable, no sentinel
		want []string
	}{
		{"404", cmsSource(srv, 0), srv.URL + "/gone", sources.ErrNotFound, []string{"404 Not Found", "reason from the CMS", "check the URL"}},
		{"401 without key", New(Options{HTTPClient: srv.Client()}), srv.URL + "/etag.md", sources.ErrAuth, []string{"401", "credentials"}},
		{"403", cmsSource(srv, 0), srv.URL + "/forbidden", sources.ErrPermission, []string{"403", "read access"}},
		{"400", cmsSource(srv, 0), srv.URL + "/bad", sources.ErrInvalid, []string{"400"}},
		{"503 is retried", cmsSource(srv, 0), srv.URL + "/busy", nil, []string{"503"}},
		{"429 is retried", cmsSource(srv, 0), srv.URL + "/limited", nil, []string{"429"}},
		{"HTML page", cmsSource(srv, 0), srv.URL + "/page", sources.ErrInvalid, []string{"text/html", "raw Markdown"}},
		{"declared body over the limit", cmsSource(srv, 1024), srv.URL + "/big", sources.ErrInvalid, []string{"1024 bytes limit"}},
		{"streamed body over the limit", cmsSource(srv, 1024), srv.URL + "/stream", sources.ErrInvalid, []string{"1024 bytes limit"}},
		{"network failure is retried", cmsSource(srv, 0), closed.URL + "/doc.md?token=s3cret", nil, []string{"get markdown"}},
		{"token hidden in errors", cmsSource(srv, 0), srv.URL + "/gone?token=s3cret", sources.ErrNotFound, []string{"?…"}},
	}
	sentinels := []error{sources.ErrNotFound, sources.ErrAuth, sources.ErrPermission, sources.ErrInvalid}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.src.Fetch(context.Background(), tt.url)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range sentinels {
				if errors.Is(err, s) != (s == tt.is) {
					t.Errorf("error %v: errors.Is(%v) = %v", err, s, !(s == tt.is))
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}
