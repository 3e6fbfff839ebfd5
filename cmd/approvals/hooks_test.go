package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHooksAreServedBesideThePages(t *testing.T) {
	mark := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Served-By", name) })
	}
	h := withHooks(mark("pages"), mark("hooks"))
	for path, want := range map[string]string{"/hooks/notion": "hooks", "/hooks/google-drive": "hooks", "/decide": "pages", "/": "pages"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, nil))
		if got := rec.Header().Get("X-Served-By"); got != want {
			t.Errorf("%s served by %q, want %q", path, got, want)
		}
	}
}
