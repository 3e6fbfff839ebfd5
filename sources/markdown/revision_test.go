package markdown

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/halcytone/contentgen/sources"
)

func TestRevisionOfAFileIsFetchsRevision(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "living.md")
	if err := os.WriteFile(path, []byte("# Weekly\n\n## Tips\n\nBreathe.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := New(Options{BaseDir: dir})
	ctx := context.Background()
	rev, err := src.Revision(ctx, "living.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := src.Fetch(ctx, "living.md")
	if err != nil || doc.Revision != rev {
		t.Fatalf("Fetch revision %q (%v) differs from Revision %q", doc.Revision, err, rev)
	}
	if err := os.WriteFile(path, []byte("# Weekly\n\n## Tips\n\nBreathe out.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if again, _ := src.Revision(ctx, "living.md"); again == rev {
		t.Error("an edit left the revision unchanged")
	}
	if _, err := src.Revision(ctx, "missing.md"); !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("missing file: err = %v, want ErrNotFound", err)
	}
}

func TestRevisionOfAFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "01-tips.md"), []byte("Breathe.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := New(Options{})
	rev, err := src.Revision(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := src.Fetch(context.Background(), dir)
	if rev != doc.Revision {
		t.Errorf("folder Revision %q, Fetch %q", rev, doc.Revision)
	}
}

// TestRevisionOfAURL checks the HEAD-first strategy against a CMS that
// sends an ETag, one that sends nothing, and one that refuses HEAD.
func TestRevisionOfAURL(t *testing.T) {
	var mu sync.Mutex
	methods := map[string][]string{}
	mux := http.NewServeMux()
	note := func(r *http.Request) {
		mu.Lock()
		methods[r.URL.Path] = append(methods[r.URL.Path], r.Method)
		mu.Unlock()
	}
	mux.HandleFunc("/etag.md", func(w http.ResponseWriter, r *http.Request) {
		note(r)
		w.Header().Set("ETag", `"v7"`)
		w.Header().Set("Content-Type", "text/markdown")
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(cmsDoc))
		}
	})
	mux.HandleFunc("/bare.md", func(w http.ResponseWriter, r *http.Request) {
		note(r)
		w.Header().Set("Content-Type", "text/markdown")
		_, _ = w.Write([]byte(cmsDoc))
	})
	mux.HandleFunc("/nohead.md", func(w http.ResponseWriter, r *http.Request) {
		note(r)
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Last-Modified", "Mon, 23 Nov 2026 08:00:00 GMT")
		_, _ = w.Write([]byte(cmsDoc))
	})
	mux.HandleFunc("/gone.md", func(w http.ResponseWriter, r *http.Request) { note(r); w.WriteHeader(http.StatusNotFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	src := New(Options{})
	ctx := context.Background()
	for path, want := range map[string]string{
		"/etag.md":   `etag:"v7"`,
		"/bare.md":   hashRevision([]byte(cmsDoc)),
		"/nohead.md": "last-modified:Mon, 23 Nov 2026 08:00:00 GMT",
	} {
		got, err := src.Revision(ctx, srv.URL+path)
		if err != nil || got != want {
			t.Errorf("%s: Revision = %q, %v; want %q", path, got, err, want)
		}
		doc, err := src.Fetch(ctx, srv.URL+path)
		if err != nil || doc.Revision != got {
			t.Errorf("%s: Fetch revision %q (%v) differs from Revision %q", path, doc.Revision, err, got)
		}
	}
	mu.Lock()
	if m := methods["/etag.md"]; len(m) != 2 || m[0] != http.MethodHead {
		t.Errorf("/etag.md: methods %v, want HEAD for Revision and GET for Fetch", m)
	}
	mu.Unlock()
	if _, err := src.Revision(ctx, srv.URL+"/gone.md"); !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("404: err = %v, want ErrNotFound", err)
	}
}
