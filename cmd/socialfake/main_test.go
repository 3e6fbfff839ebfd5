package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/bluesky"
	"github.com/halcytone/contentgen/social/mastodon"
)

func TestFakesServeThePostsTheirURLsName(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = newServer(config{mastodonToken: "m", blueskyHandle: "h.demo", blueskyPassword: "p",
		xClientID: "x", xClientSecret: "s", xRefreshToken: "r", linkedInToken: "l", linkedInAuthor: "urn:li:organization:1"}, url)
	srv.Start()
	defer srv.Close()
	m, _ := mastodon.New(mastodon.Options{Server: url, Token: "m"})
	b, _ := bluesky.New(bluesky.Options{Service: url, WebURL: url, Handle: "h.demo", AppPassword: "p"})
	post := social.Post{Text: "Breathe 🫁 https://halcytone.example/updates/w48", Link: "https://halcytone.example/updates/w48"}
	for _, p := range []social.Poster{m, b} {
		res, err := p.Post(context.Background(), "k", post)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(res.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Breathe 🫁") {
			t.Errorf("GET %s: %d %q", res.URL, resp.StatusCode, body)
		}
	}
	resp, err := http.Get(url + "/posts")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Count(string(body), "halcytone.example/updates/w48") < 2 {
		t.Errorf("/posts %s", body)
	}
}

func TestMediaServesImagesOnly(t *testing.T) {
	srv := httptest.NewServer(newServer(config{mediaDir: "../../examples"}, "http://fake.test"))
	defer srv.Close()
	img, err := social.ImageFetcher{}.FetchImage(context.Background(), srv.URL+"/media/media/sleep-mode.png", "alt")
	if err != nil {
		t.Fatal(err)
	}
	if img.ContentType != "image/png" || len(img.Data) < 100 {
		t.Errorf("image %s, %d bytes", img.ContentType, len(img.Data))
	}
	for _, p := range []string{"/media/living-document.md", "/media/", "/media/media/"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
}
