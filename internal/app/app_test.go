package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// TestImageStoreRefusesSVG checks the store the worker builds from its
// configuration never keeps an SVG, which could run script from the
// store's origin.
func TestImageStoreRefusesSVG(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	store := imageStore(SourcesConfig{ImageDir: dir, ImageBaseURL: "https://cdn.example.com"})
	if store == nil {
		t.Fatal("no image store with IMAGE_STORE_DIR and IMAGE_BASE_URL set")
	}
	if u, err := store.Store(context.Background(), srv.URL+"/logo.svg", "logo"); err == nil {
		t.Errorf("SVG stored as %s", u)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("store folder holds %d files after an SVG", len(entries))
	}
}
