package main

import (
	"encoding/json"
	"html/template"
	"net/http"
	"path"
	"strings"

	"github.com/halcytone/contentgen/social/fake"
)

type config struct {
	mastodonToken, blueskyHandle, blueskyPassword string
	xClientID, xClientSecret, xRefreshToken       string
	linkedInToken, linkedInAuthor                 string
	mediaDir                                      string
}

// server routes each network's API paths to its fake, and serves a page
// per post (the URLs the clients report) and /posts, every post as JSON.
type server struct {
	mastodon *fake.Mastodon
	bluesky  *fake.Bluesky
	x        *fake.X
	linkedin *fake.LinkedIn
	mux      *http.ServeMux
}

func newServer(c config, publicURL string) *server {
	s := &server{
		mastodon: fake.NewMastodon(c.mastodonToken),
		bluesky:  fake.NewBluesky(c.blueskyHandle, c.blueskyPassword),
		x:        fake.NewX(c.xClientID, c.xClientSecret, c.xRefreshToken),
		linkedin: fake.NewLinkedIn(c.linkedInToken, c.linkedInAuthor),
		mux:      http.NewServeMux(),
	}
	s.mastodon.URL = strings.TrimRight(publicURL, "/")
	s.mux.Handle("/api/", s.mastodon)
	s.mux.Handle("/xrpc/", s.bluesky)
	s.mux.Handle("/2/", s.x)
	s.mux.Handle("/rest/", s.linkedin)
	s.mux.HandleFunc("GET /posts", s.posts)
	s.mux.HandleFunc("GET /@halcytone/{id}", s.mastodonPage)
	s.mux.HandleFunc("GET /profile/{handle}/post/{rkey}", s.blueskyPage)
	if c.mediaDir != "" {
		s.mux.Handle("GET /media/", http.StripPrefix("/media/", imagesOnly(http.FileServer(http.Dir(c.mediaDir)))))
	}
	return s
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *server) posts(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(map[string]any{"mastodon": s.mastodon.Statuses(), "bluesky": s.bluesky.Records(),
		"x": s.x.Tweets(), "linkedin": s.linkedin.Posts()})
}

var page = template.Must(template.New("post").Parse(`<!doctype html>
<meta charset="utf-8"><title>{{.Network}} post (local fake)</title>
<body style="font-family:sans-serif;max-width:40em;margin:2em auto">
<p style="color:#666">{{.Network}} · local fake · <a href="/posts">all posts</a></p>
<article style="border:1px solid #ddd;border-radius:8px;padding:1em">{{.Body}}</article>`))

func (s *server) mastodonPage(w http.ResponseWriter, r *http.Request) {
	for _, st := range s.mastodon.Statuses() {
		if st.ID == r.PathValue("id") {
			// Content is the server's own HTML rendering of the status.
			_ = page.Execute(w, map[string]any{"Network": "Mastodon", "Body": template.HTML(st.Content)})
			return
		}
	}
	http.NotFound(w, r)
}

func (s *server) blueskyPage(w http.ResponseWriter, r *http.Request) {
	for _, rec := range s.bluesky.Records() {
		if strings.HasSuffix(rec.URI, "/"+r.PathValue("rkey")) {
			p, err := rec.Post()
			if err != nil {
				break
			}
			_ = page.Execute(w, map[string]any{"Network": "Bluesky", "Body": p.Text})
			return
		}
	}
	http.NotFound(w, r)
}

// imagesOnly serves files whose names end in an image extension; folder
// listings and anything else are not found.
func imagesOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.ToLower(path.Ext(r.URL.Path)) {
		case ".png", ".jpg", ".jpeg", ".gif", ".webp":
			next.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
