package social_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/social"
)

func TestFetchImage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a.png":
			_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n rest of a png"))
		case "/page":
			_, _ = w.Write([]byte("<html><body>not an image</body></html>"))
		case "/big.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(make([]byte, 2048))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := social.ImageFetcher{MaxBytes: 1024}
	img, err := f.FetchImage(context.Background(), srv.URL+"/a.png", "alt")
	if err != nil || img.ContentType != "image/png" || img.Alt != "alt" {
		t.Fatalf("%+v %v", img, err)
	}
	if _, err := f.FetchImage(context.Background(), "http://127.0.0.1:1/x.png", ""); err == nil || strings.Count(err.Error(), "/x.png") != 1 {
		t.Errorf("unreachable: %v, want the URL named once", err)
	}
	for path, want := range map[string]string{"/page": "not an image", "/big.png": "larger than", "/gone": "HTTP 404"} {
		if _, err := f.FetchImage(context.Background(), srv.URL+path, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
}
