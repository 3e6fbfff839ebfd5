package server

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"time"
)

// FeedSize is how many updates the RSS feed carries.
const FeedSize = 20

// RSS 2.0 with an atom:link to itself (as feed validators ask) and the
// full post in content:encoded. encoding/xml escapes all text.
type rssFeed struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	AtomLink      atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Description string   `xml:"description"`
	Content     string   `xml:"content:encoded,omitempty"`
	Categories  []string `xml:"category"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	updates, err := s.listUpdates(r.Context(), 0, FeedSize)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	feed := rssFeed{
		Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", ContentNS: "http://purl.org/rss/1.0/modules/content/",
		Channel: rssChannel{
			Title:       s.cfg.SiteName + " updates",
			Link:        s.cfg.PublicURL + "/updates",
			Description: "News and updates from " + s.cfg.SiteName,
			Language:    "en",
			AtomLink:    atomLink{Href: s.cfg.PublicURL + "/updates/feed.xml", Rel: "self", Type: "application/rss+xml"},
		},
	}
	for i, u := range updates {
		if i == 0 {
			feed.Channel.LastBuildDate = u.PublishedAt.Format(time.RFC1123Z)
		}
		desc := u.Summary
		if desc == "" {
			desc = u.Title
		}
		feed.Channel.Items = append(feed.Channel.Items, rssItem{
			Title: u.Title, Link: u.URL, GUID: rssGUID{IsPermaLink: "true", Value: u.URL},
			PubDate: u.PublishedAt.Format(time.RFC1123Z), Description: desc, Content: u.BodyHTML, Categories: u.Tags,
		})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(feed); err != nil {
		s.pageError(w, r, err)
		return
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = buf.WriteTo(w)
}
