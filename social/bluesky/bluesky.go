// Package bluesky posts to Bluesky over XRPC: an app-password session that
// is reused and refreshed (createSession is heavily rate-limited), posts as
// app.bsky.feed.post records with link facets at UTF-8 byte offsets and an
// external embed card for the edition's web update.
package bluesky

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/halcytone/contentgen/social"
)

const (
	network    = social.Bluesky
	collection = "app.bsky.feed.post"
	// DefaultService is the PDS most accounts live on.
	DefaultService = "https://bsky.social"
	// DefaultWebURL is where post links point.
	DefaultWebURL = "https://bsky.app"
	// maxThumb is the largest blob app.bsky.embed.external accepts as a
	// link card's thumbnail.
	maxThumb = 1_000_000
)

// Options configure a Client.
type Options struct {
	// Service is the account's PDS (BLUESKY_SERVICE; default bsky.social).
	Service string
	// Handle and AppPassword log in; create an app password under
	// Settings > Privacy and security > App passwords.
	Handle      string
	AppPassword string
	// WebURL is the base of post URLs (default https://bsky.app).
	WebURL     string
	HTTPClient *http.Client
	// Now stamps createdAt (default time.Now).
	Now func() time.Time
}

// Client posts as one account, reusing its session.
type Client struct {
	o  Options
	hc *http.Client

	mu   sync.Mutex
	sess *session
}

type session struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
}

// New returns a Client, or an error naming the missing setting.
func New(o Options) (*Client, error) {
	if o.Handle == "" || o.AppPassword == "" {
		return nil, fmt.Errorf("bluesky needs BLUESKY_HANDLE and BLUESKY_APP_PASSWORD")
	}
	if o.Service == "" {
		o.Service = DefaultService
	}
	if _, err := url.ParseRequestURI(o.Service); err != nil {
		return nil, fmt.Errorf("BLUESKY_SERVICE %q is not a URL: %w", o.Service, err)
	}
	o.Service = strings.TrimRight(o.Service, "/")
	if o.WebURL == "" {
		o.WebURL = DefaultWebURL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Client{o: o, hc: social.HTTPClient(o.HTTPClient)}, nil
}

// Post creates an app.bsky.feed.post record. Bluesky has no idempotency
// keys; social.Once finds a post made by a lost attempt.
func (c *Client) Post(ctx context.Context, _ string, p social.Post) (social.Result, error) {
	rec := map[string]any{
		"$type":     collection,
		"text":      p.Text,
		"createdAt": c.o.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
	}
	if f := Facets(p.Text); len(f) > 0 {
		rec["facets"] = f
	}
	if p.Link != "" {
		ext := map[string]any{"uri": p.Link, "title": p.Title, "description": p.Description}
		if p.Image != nil && len(p.Image.Data) <= maxThumb {
			blob, err := c.upload(ctx, *p.Image)
			if err != nil {
				return social.Result{}, err
			}
			ext["thumb"] = blob
		}
		rec["embed"] = map[string]any{"$type": "app.bsky.embed.external", "external": ext}
	}
	var out struct {
		URI string `json:"uri"`
		CID string `json:"cid"`
	}
	err := c.call(ctx, "create post", http.MethodPost, "com.atproto.repo.createRecord", func(s *session) any {
		return map[string]any{"repo": s.DID, "collection": collection, "record": rec}
	}, &out)
	if err != nil {
		return social.Result{}, err
	}
	return c.result(out.URI, c.o.Now()), nil
}

func (c *Client) upload(ctx context.Context, img social.Image) (any, error) {
	var out struct {
		Blob any `json:"blob"`
	}
	err := c.send(ctx, "upload image", func(s *session) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.Service+"/xrpc/com.atproto.repo.uploadBlob", bytes.NewReader(img.Data))
		if err == nil {
			req.Header.Set("Content-Type", img.ContentType)
			req.Header.Set("Authorization", "Bearer "+s.AccessJwt)
		}
		return req, err
	}, &out)
	return out.Blob, err
}

// Find looks through the account's latest 100 posts for one linking to
// marker, in its embed card or a link facet. It reads the PDS's own
// records, which show a post the moment it is made.
func (c *Client) Find(ctx context.Context, marker string) (social.Result, bool, error) {
	var out struct {
		Records []struct {
			URI   string `json:"uri"`
			Value struct {
				Text      string    `json:"text"`
				CreatedAt time.Time `json:"createdAt"`
				Facets    []Facet   `json:"facets"`
				Embed     struct {
					External struct {
						URI string `json:"uri"`
					} `json:"external"`
				} `json:"embed"`
			} `json:"value"`
		} `json:"records"`
	}
	err := c.call(ctx, "list posts", http.MethodGet, "", func(s *session) any {
		return "com.atproto.repo.listRecords?" + url.Values{"repo": {s.DID}, "collection": {collection}, "limit": {"100"}}.Encode()
	}, &out)
	if err != nil {
		return social.Result{}, false, err
	}
	for _, r := range out.Records {
		hit := r.Value.Embed.External.URI == marker
		for _, f := range r.Value.Facets {
			for _, ft := range f.Features {
				hit = hit || ft.URI == marker
			}
		}
		if hit {
			return c.result(r.URI, r.Value.CreatedAt), true, nil
		}
	}
	return social.Result{}, false, nil
}

// Delete deletes the post with the at:// URI id.
func (c *Client) Delete(ctx context.Context, id string) error {
	rkey := id[strings.LastIndex(id, "/")+1:]
	return c.call(ctx, "delete post", http.MethodPost, "com.atproto.repo.deleteRecord", func(s *session) any {
		return map[string]any{"repo": s.DID, "collection": collection, "rkey": rkey}
	}, nil)
}

// result turns an at:// URI into the post's ID and web URL.
func (c *Client) result(uri string, at time.Time) social.Result {
	c.mu.Lock()
	handle := c.o.Handle
	if c.sess != nil && c.sess.Handle != "" {
		handle = c.sess.Handle
	}
	c.mu.Unlock()
	rkey := uri[strings.LastIndex(uri, "/")+1:]
	return social.Result{Network: network, ID: uri, URL: c.o.WebURL + "/profile/" + handle + "/post/" + rkey, At: at.UTC()}
}

// Login creates a session with the handle and app password, checking
// them; it returns the account's DID.
func (c *Client) Login(ctx context.Context) (string, error) {
	s, err := c.create(ctx)
	if err != nil {
		return "", err
	}
	return s.DID, nil
}
