package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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

// TestMarkdownAuthorizationNeedsHosts checks a Markdown credential with no
// host to go to is refused at startup, with the variable to set.
func TestMarkdownAuthorizationNeedsHosts(t *testing.T) {
	env := map[string]string{"MARKDOWN_AUTHORIZATION": "Bearer k"}
	lookup := func(k string) string { return env[k] }
	_, err := Sources(context.Background(), SourcesFromEnv(lookup))
	if err == nil || !strings.Contains(err.Error(), "MARKDOWN_AUTHORIZATION_HOSTS") {
		t.Fatalf("err = %v, want one naming MARKDOWN_AUTHORIZATION_HOSTS", err)
	}
	env["MARKDOWN_AUTHORIZATION_HOSTS"] = " cms.internal.example , cms2.internal.example:8443"
	cfg := SourcesFromEnv(lookup)
	if strings.Join(cfg.MarkdownHeaderHosts, "|") != "cms.internal.example|cms2.internal.example:8443" {
		t.Errorf("hosts %q", cfg.MarkdownHeaderHosts)
	}
	if _, err := Sources(context.Background(), cfg); err != nil {
		t.Error(err)
	}
}
