package markdown

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
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
	return New(Options{HTTPClient: srv.Client(), MaxBytes: max, Header: http.Header{"Authorization": {"Bearer cms-key"}}, HeaderHosts: []string{srv.Listener.Addr().String()}})
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
	src := New(Options{HTTPClient: srv.Client(), Header: http.Header{"Authorization": {"Bearer k"}, "Accept": {"*/*"}}, HeaderHosts: []string{srv.Listener.Addr().String()}})
	if _, err := src.Fetch(context.Background(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer k" || !strings.HasPrefix(got.Get("Accept"), "text/markdown") {
		t.Errorf("headers %v", got)
	}
}

// TestHeaderGoesOnlyToItsHosts checks the Authorization header reaches
// the hosts it is for and no other: not a host the document URL names,
// not one a redirect from an allowed host leads to.
func TestHeaderGoesOnlyToItsHosts(t *testing.T) {
	seen := map[string]string{}
	var mu sync.Mutex
	serve := func(name string, h http.HandlerFunc) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[name+r.URL.Path] = r.Header.Get("Authorization")
			mu.Unlock()
			h(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	doc := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("## Tips\n\nBreathe.\n")) }
	other := serve("other", doc)
	cms := serve("cms", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
			return
		}
		doc(w, r)
	})
	src := New(Options{Header: http.Header{"Authorization": {"Bearer secret"}}, HeaderHosts: []string{"CMS.invalid", cms.Listener.Addr().String()}})
	for _, u := range []string{cms.URL + "/doc", other.URL + "/doc", cms.URL + "/moved"} {
		if _, err := src.Fetch(context.Background(), u); err != nil {
			t.Fatalf("fetch %s: %v", u, err)
		}
	}
	want := map[string]string{"cms/doc": "Bearer secret", "other/doc": "", "cms/moved": "Bearer secret", "other/stolen": ""}
	for k, v := range want {
		if got, ok := seen[k]; !ok || got != v {
			t.Errorf("%s: Authorization %q (requested %v), want %q", k, got, ok, v)
		}
	}
	if _, err := New(Options{Header: http.Header{"Authorization": {"Bearer secret"}}}).Fetch(context.Background(), cms.URL+"/none"); err != nil {
		t.Fatal(err)
	}
	if seen["cms/none"] != "" {
		t.Error("with no hosts named, the header was sent anyway")
	}
}

func TestHostAllowed(t *testing.T) {
	tests := []struct {
		url   string
		hosts []string
		want  bool
	}{
		{"https://cms.example.com/a", []string{"cms.example.com"}, true},
		{"https://CMS.example.com:8443/a", []string{"cms.example.com"}, true},
		{"https://cms.example.com:8443/a", []string{"cms.example.com:8443"}, true},
		{"https://cms.example.com/a", []string{"cms.example.com:8443"}, false},
		{"https://cms.example.com/a", []string{"cms.example.com:443"}, true},
		{"https://evil.cms.example.com/a", []string{"cms.example.com"}, false},
		{"https://cms.example.com.evil.io/a", []string{"cms.example.com"}, false},
		{"http://[::1]:8080/a", []string{"[::1]:8080"}, true},
		{"https://cms.example.com/a", nil, false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := hostAllowed(u, tt.hosts); got != tt.want {
			t.Errorf("hostAllowed(%s, %q) = %v, want %v", tt.url, tt.hosts, got, tt.want)
		}
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
