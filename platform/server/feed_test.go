package server

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"
)

// parsedFeed reads the feed back with the namespaces resolved, as a feed
// reader would.
type parsedFeed struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		// encoding/xml gives an element to the first field that matches,
		// and "link" alone matches atom:link too: the Atom field goes first.
		AtomLink struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
			Type string `xml:"type,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Title         string `xml:"title"`
		Link          string `xml:"link"`
		Description   string `xml:"description"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
			PubDate     string   `xml:"pubDate"`
			Description string   `xml:"description"`
			Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Categories  []string `xml:"category"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestFeed(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	mustCreate(t, s, "", sampleRequest("2026-w48-halcytone-weekly"))
	tricky := sampleRequest("tricky")
	tricky.Title = `Breath & <b>calm</b> ]]> "done"`
	tricky.Summary = ""
	mustCreate(t, s, "", tricky)

	r := do(t, http.MethodGet, base+"/updates/feed.xml", "", nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/rss+xml; charset=utf-8" {
		t.Fatalf("feed: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if !bytes.HasPrefix(r.body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("feed does not start with an XML declaration: %.60s", r.body)
	}
	if strings.Contains(string(r.body), "<b>calm</b>") || !strings.Contains(string(r.body), "Breath &amp; &lt;b&gt;calm&lt;/b&gt;") {
		t.Errorf("title not escaped in the XML text")
	}
	var feed parsedFeed
	if err := xml.Unmarshal(r.body, &feed); err != nil {
		t.Fatalf("feed is not well-formed XML: %v\n%s", err, r.body)
	}
	ch := feed.Channel
	if feed.Version != "2.0" || ch.Title != "Halcytone updates" || ch.Link != "https://halcytone.example/updates" || ch.Description == "" {
		t.Errorf("channel %q %q %q (version %q)", ch.Title, ch.Link, ch.Description, feed.Version)
	}
	if ch.AtomLink.Href != "https://halcytone.example/updates/feed.xml" || ch.AtomLink.Rel != "self" || ch.AtomLink.Type != "application/rss+xml" {
		t.Errorf("atom:link %+v", ch.AtomLink)
	}
	if _, err := time.Parse(time.RFC1123Z, ch.LastBuildDate); err != nil {
		t.Errorf("lastBuildDate: %v", err)
	}
	if len(ch.Items) != 2 {
		t.Fatalf("%d items, want 2", len(ch.Items))
	}
	newest, older := ch.Items[0], ch.Items[1]
	if newest.Title != tricky.Title || newest.Description != tricky.Title {
		t.Errorf("newest item title %q description %q, want the title round-tripped (and as the description without a summary)", newest.Title, newest.Description)
	}
	want := "https://halcytone.example/updates/2026-w48-halcytone-weekly"
	if older.Link != want || older.GUID.Value != want || older.GUID.IsPermaLink != "true" {
		t.Errorf("item link %q guid %+v, want %s", older.Link, older.GUID, want)
	}
	if older.Description != sampleRequest("").Summary || !strings.Contains(older.Content, "<h2>Breathscape</h2>") {
		t.Errorf("item description %q, content %.80q", older.Description, older.Content)
	}
	if strings.Join(older.Categories, ",") != "breathscape,hardware" {
		t.Errorf("categories %v", older.Categories)
	}
	for _, it := range ch.Items {
		if pub, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil || time.Since(pub) > time.Minute {
			t.Errorf("pubDate %q: %v", it.PubDate, err)
		}
	}
}

func TestFeedEmpty(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	r := do(t, http.MethodGet, startHTTP(t, s)+"/updates/feed.xml", "", nil, nil)
	var feed parsedFeed
	if err := xml.Unmarshal(r.body, &feed); err != nil || r.status != 200 || len(feed.Channel.Items) != 0 || feed.Channel.Title == "" {
		t.Errorf("empty feed: %d %v %s", r.status, err, r.body)
	}
}
