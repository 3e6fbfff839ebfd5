package imagestore

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func pngBytes(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, c)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// files serves path → (content type, body).
func files(t *testing.T, m map[string][2]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if f[0] != "" {
			w.Header().Set("Content-Type", f[0])
		}
		_, _ = w.Write([]byte(f[1]))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDirStoreCopiesImages(t *testing.T) {
	red, blue := string(pngBytes(t, color.RGBA{R: 255, A: 255})), string(pngBytes(t, color.RGBA{B: 255, A: 255}))
	srv := files(t, map[string][2]string{
		"/red":   {"image/png", red},
		"/blue":  {"", blue}, // no Content-Type: sniffed
		"/red-2": {"image/png; charset=binary", red},
	})
	dir := t.TempDir()
	store := DirStore{Dir: dir, BaseURL: "https://cdn.example.com/editions/"}
	ctx := context.Background()

	first, err := store.Store(ctx, srv.URL+"/red", "gdocs/1AbC kix.img1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, "https://cdn.example.com/editions/gdocs_1AbC_kix.img1-") || !strings.HasSuffix(first, ".png") {
		t.Errorf("URL %q: want BaseURL + safe name + hash + .png", first)
	}
	again, err := store.Store(ctx, srv.URL+"/red-2", "gdocs/1AbC kix.img1")
	if err != nil || again != first {
		t.Errorf("same bytes stored again gave %q, %v; want the same URL %q", again, err, first)
	}
	other, err := store.Store(ctx, srv.URL+"/blue", "gdocs/1AbC kix.img1")
	if err != nil || other == first {
		t.Errorf("changed image gave %q, %v; want a new URL", other, err)
	}
	got, err := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(first, "https://cdn.example.com/editions/")))
	if err != nil || string(got) != red {
		t.Errorf("stored file: %v, %d bytes; want the downloaded PNG", err, len(got))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d files, want 2 (no temporary files left)", len(entries))
	}
}

func TestDirStoreRefuses(t *testing.T) {
	img := string(pngBytes(t, color.Black))
	srv := files(t, map[string][2]string{
		"/page": {"text/html", "<html>sign in</html>"},
		"/svg":  {"image/svg+xml", "<svg/>"},
		"/big":  {"image/png", img},
	})
	tests := []struct {
		name  string
		store DirStore
		path  string
		want  string
	}{
		{"not an image", DirStore{}, "/page", `content type "text/html"`},
		{"svg by default", DirStore{}, "/svg", `content type "image/svg+xml"`},
		{"too large", DirStore{MaxBytes: 10}, "/big", "larger than"},
		{"missing", DirStore{}, "/gone", "404"},
		{"unconfigured", DirStore{Dir: "-"}, "/big", "Dir and BaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.store
			if s.Dir == "" {
				s.Dir, s.BaseURL = t.TempDir(), "https://cdn.example.com"
			}
			_, err := s.Store(context.Background(), srv.URL+tt.path, "x")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestDirStoreNeverStoresScript checks that no configuration makes the
// store keep a type that can carry script, nor a script labelled as an
// image; ContentTypes only narrows the raster types.
func TestDirStoreNeverStoresScript(t *testing.T) {
	img := string(pngBytes(t, color.Black))
	srv := files(t, map[string][2]string{
		"/svg":        {"image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		"/svg-as-png": {"image/png", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`},
		"/html-sniff": {"", "<html><script>alert(1)</script></html>"},
		"/pdf":        {"application/pdf", "%PDF-1.7\n/JavaScript"},
		"/xml":        {"application/xml", "<x/>"},
		"/png":        {"image/png", img},
	})
	wide := []string{"image/", "application/pdf", "image/svg+xml", "text/html", "application/xml"}
	for _, path := range []string{"/svg", "/svg-as-png", "/html-sniff", "/pdf", "/xml"} {
		for _, types := range [][]string{nil, wide} {
			dir := t.TempDir()
			s := DirStore{Dir: dir, BaseURL: "https://cdn.example.com", ContentTypes: types}
			if u, err := s.Store(context.Background(), srv.URL+path, "x"); err == nil {
				t.Errorf("%s with ContentTypes %q stored as %s", path, types, u)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("%s with ContentTypes %q left %d files", path, types, len(entries))
			}
		}
	}
	narrow := DirStore{Dir: t.TempDir(), BaseURL: "https://cdn.example.com", ContentTypes: []string{"image/jpeg"}}
	if _, err := narrow.Store(context.Background(), srv.URL+"/png", "x"); err == nil {
		t.Error("a PNG was stored though ContentTypes allows only JPEG")
	}
	wideStore := DirStore{Dir: t.TempDir(), BaseURL: "https://cdn.example.com", ContentTypes: wide}
	if u, err := wideStore.Store(context.Background(), srv.URL+"/png", "x"); err != nil || !strings.HasSuffix(u, ".png") {
		t.Errorf("PNG gave %q, %v; want it stored", u, err)
	}
}

type failingStore struct{}

func (failingStore) Store(context.Context, string, string) (string, error) {
	return "", os.ErrPermission
}

func TestKeep(t *testing.T) {
	ctx := context.Background()
	u, warn := Keep(ctx, nil, "https://x/1", "n", "image kix.1 in Google Docs document D", "about 30 minutes")
	if u != "https://x/1" || !strings.Contains(warn, "image kix.1 in Google Docs document D") ||
		!strings.Contains(warn, "expires about 30 minutes") || !strings.Contains(warn, "IMAGE_STORE_DIR") {
		t.Errorf("without store: %q, %q", u, warn)
	}
	u, warn = Keep(ctx, failingStore{}, "https://x/1", "n", "image i", "one hour")
	if u != "https://x/1" || !strings.Contains(warn, "copying it to the image store failed") {
		t.Errorf("failing store: %q, %q", u, warn)
	}
}
