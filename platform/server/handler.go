package server

import (
	"net/http"
	"strings"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// contentSecurityPolicy allows the pages nothing but their own inline
// styles and images; they run no script at all.
const contentSecurityPolicy = httpapi.PageCSP

// Handler serves the Platform contract, the public pages and GET /healthz.
// Publishing needs an API key; reading is public, as the pages are.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+platform.PathUpdates, s.cfg.Keys.RequireKey(http.HandlerFunc(s.handleCreate)))
	mux.HandleFunc("GET "+platform.PathUpdates, s.handleList)
	mux.HandleFunc("GET "+platform.PathUpdates+"/{slug}", s.handleGet)
	mux.HandleFunc("GET "+platform.PathStats, s.handleStats)
	mux.Handle("GET "+platform.PathViews, s.cfg.Keys.RequireKey(http.HandlerFunc(s.handleViews)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/updates", http.StatusFound)
	})
	mux.HandleFunc("GET /updates", s.handleListPage)
	mux.HandleFunc("GET /updates/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/updates", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /updates/feed.xml", s.handleFeed)
	mux.HandleFunc("GET /updates/{slug}", s.handlePostPage)
	mux.HandleFunc("GET /updates/{slug}/report", s.handleReportPage)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("/", s.handleNotFound)
	return httpapi.LogRequests(s.log, securityHeaders(mux))
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.db.PingContext(r.Context()); err != nil {
		httpapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "", "database: %v", err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// handleNotFound answers unknown paths: JSON under /api/, a page elsewhere.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		httpapi.WriteError(w, http.StatusNotFound, platform.CodeNotFound, "", "no API endpoint %s %s", r.Method, r.URL.Path)
		return
	}
	s.notFoundPage(w, r)
}
