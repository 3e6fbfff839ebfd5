// Package mastodon posts statuses to a Mastodon server through its REST
// API: POST /api/v1/statuses with an Idempotency-Key, media through
// /api/v2/media, the account's statuses to find a post again.
package mastodon

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/halcytone/contentgen/social"
)

const network = social.Mastodon

// Options configure a Client.
type Options struct {
	// Server is the instance's base URL, e.g. https://mastodon.social.
	Server string
	// Token is an access token with the write:statuses, write:media and
	// read:statuses scopes.
	Token string
	// Visibility of new statuses: public (default), unlisted, private.
	Visibility string
	HTTPClient *http.Client
}

// Client talks to one Mastodon account.
type Client struct {
	o  Options
	hc *http.Client

	mu        sync.Mutex
	accountID string
}

// New returns a Client, or an error naming the missing setting.
func New(o Options) (*Client, error) {
	if o.Server == "" || o.Token == "" {
		return nil, fmt.Errorf("mastodon needs MASTODON_SERVER and MASTODON_ACCESS_TOKEN")
	}
	if _, err := url.ParseRequestURI(o.Server); err != nil {
		return nil, fmt.Errorf("MASTODON_SERVER %q is not a URL: %w", o.Server, err)
	}
	o.Server = strings.TrimRight(o.Server, "/")
	if o.Visibility == "" {
		o.Visibility = "public"
	}
	return &Client{o: o, hc: social.HTTPClient(o.HTTPClient)}, nil
}

type status struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	URI       string    `json:"uri"`
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"created_at"`
	Card      *struct {
		URL string `json:"url"`
	} `json:"card"`
}

func (s status) result() social.Result {
	u := s.URL
	if u == "" {
		u = s.URI
	}
	return social.Result{Network: network, ID: s.ID, URL: u, At: s.CreatedAt}
}

// Post creates a status, after uploading the image if there is one. key
// goes out as the Idempotency-Key, so the server itself turns a repeated
// request into one status.
func (c *Client) Post(ctx context.Context, key string, p social.Post) (social.Result, error) {
	body := map[string]any{"status": p.Text, "visibility": c.o.Visibility}
	if p.Image != nil {
		id, err := c.upload(ctx, *p.Image)
		if err != nil {
			return social.Result{}, err
		}
		body["media_ids"] = []string{id}
	}
	req, err := c.request(ctx, http.MethodPost, "/api/v1/statuses", body)
	if err != nil {
		return social.Result{}, err
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	var st status
	if err := c.do(req, "create status", &st); err != nil {
		return social.Result{}, err
	}
	return st.result(), nil
}

func (c *Client) upload(ctx context.Context, img social.Image) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="image"`)
	h.Set("Content-Type", img.ContentType)
	fw, err := mw.CreatePart(h)
	if err != nil {
		return "", err
	}
	_, _ = fw.Write(img.Data)
	_ = mw.WriteField("description", img.Alt)
	if err := mw.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.o.Server+"/api/v2/media", &buf)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+c.o.Token)
	var media struct {
		ID string `json:"id"`
	}
	if err := c.do(req, "upload media", &media); err != nil {
		return "", err
	}
	return media.ID, nil
}

// Find looks through the account's 40 latest statuses for one linking to
// marker.
func (c *Client) Find(ctx context.Context, marker string) (social.Result, bool, error) {
	id, err := c.account(ctx)
	if err != nil {
		return social.Result{}, false, err
	}
	req, err := c.request(ctx, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(id)+"/statuses?limit=40&exclude_replies=true&exclude_reblogs=true", nil)
	if err != nil {
		return social.Result{}, false, err
	}
	var sts []status
	if err := c.do(req, "list statuses", &sts); err != nil {
		return social.Result{}, false, err
	}
	escaped := html.EscapeString(marker)
	for _, st := range sts {
		if strings.Contains(st.Content, escaped) || (st.Card != nil && st.Card.URL == marker) {
			return st.result(), true, nil
		}
	}
	return social.Result{}, false, nil
}

// Delete deletes the status with id.
func (c *Client) Delete(ctx context.Context, id string) error {
	req, err := c.request(ctx, http.MethodDelete, "/api/v1/statuses/"+url.PathEscape(id), nil)
	if err != nil {
		return err
	}
	return c.do(req, "delete status", nil)
}

func (c *Client) account(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.accountID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	req, err := c.request(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil)
	if err != nil {
		return "", err
	}
	var acct struct {
		ID string `json:"id"`
	}
	if err := c.do(req, "verify credentials", &acct); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.accountID = acct.ID
	c.mu.Unlock()
	return acct.ID, nil
}

func (c *Client) request(ctx context.Context, method, path string, body any) (*http.Request, error) {
	req, err := social.NewJSONRequest(ctx, method, c.o.Server+path, body)
	if err != nil {
		return nil, fmt.Errorf("mastodon: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.o.Token)
	return req, nil
}

func (c *Client) do(req *http.Request, op string, out any) error {
	rep, err := social.Do(c.hc, req, network, op)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return replyError(op, rep, c.o.Server)
	}
	if out == nil {
		return nil
	}
	return rep.Decode(network, op, out)
}

// replyError maps Mastodon's {"error": "..."} replies.
func replyError(op string, rep social.Reply, server string) error {
	var body struct {
		Error string `json:"error"`
	}
	_ = rep.Decode(network, op, &body)
	e := &social.Error{Network: network, Op: op, Kind: social.StatusKind(rep.Status), Status: rep.Status, Message: body.Error}
	switch rep.Status {
	case http.StatusUnauthorized:
		e.Fix = fmt.Sprintf("the access token is expired or revoked: create a new one under Preferences > Development on %s and set MASTODON_ACCESS_TOKEN", server)
	case http.StatusForbidden:
		e.Kind = social.KindAuth
		e.Fix = "give the access token the write:statuses, write:media and read:statuses scopes, then set MASTODON_ACCESS_TOKEN"
	case http.StatusTooManyRequests:
		e.RetryAfter = resetIn(rep.Header, time.Now())
	}
	return e
}

// resetIn reads X-RateLimit-Reset (an ISO 8601 time), or Retry-After.
func resetIn(h http.Header, now time.Time) time.Duration {
	if t, err := time.Parse(time.RFC3339Nano, h.Get("X-RateLimit-Reset")); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return social.RetryAfter(h, now)
}
