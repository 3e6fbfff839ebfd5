package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/halcytone/contentgen/httpapi"
)

// Sentinel errors a caller can test with errors.Is; the *httpapi.StatusError
// of the reply stays reachable with errors.As.
var (
	// ErrNotFound: the Platform has no update with that slug.
	ErrNotFound = errors.New("update not found")
	// ErrSlugConflict: an update with this slug was already published with
	// different content. Published updates never change silently, so a
	// retry cannot succeed: publish under a new slug.
	ErrSlugConflict = errors.New("slug already published with different content")
)

// Error codes of the Platform's JSON error body.
const (
	CodeSlugConflict        = "slug_conflict"
	CodeIdempotencyKeyReuse = "idempotency_key_reused"
	CodeNotFound            = "not_found"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the Platform's root, e.g. "http://127.0.0.1:8082".
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>".
	APIKey string
	// HTTPClient, when set, is used as is (Timeout is then ignored).
	HTTPClient *http.Client
	// Timeout bounds each request (default 30 s).
	Timeout time.Duration
}

// Client talks to a Platform that implements the contract in this package.
type Client struct {
	http *httpapi.Client
}

// New returns a Client for o.
func New(o Options) *Client {
	return &Client{http: httpapi.NewClient(o.BaseURL, o.APIKey, o.HTTPClient, o.Timeout)}
}

// CreateUpdate publishes an update. idempotencyKey must be stable across
// retries of the same publish (it may be empty: the slug and content alone
// already make a retry return the existing update). A slug published with
// other content fails with an error wrapping ErrSlugConflict.
func (c *Client) CreateUpdate(ctx context.Context, idempotencyKey string, req UpdateRequest) (CreateResponse, error) {
	var resp CreateResponse
	var hdr http.Header
	if idempotencyKey != "" {
		hdr = http.Header{httpapi.HeaderIdempotencyKey: {idempotencyKey}}
	}
	err := c.http.Do(ctx, "platform create update "+req.Slug, http.MethodPost, PathUpdates, hdr, req, &resp)
	if se, ok := httpapi.AsStatusError(err); ok && se.StatusCode == http.StatusConflict && se.Detail.Code == CodeSlugConflict {
		return resp, fmt.Errorf("%w: %w", ErrSlugConflict, err)
	}
	return resp, err
}

// ListUpdates returns up to limit updates, newest first (limit 0 lets the
// Platform choose).
func (c *Client) ListUpdates(ctx context.Context, limit int) ([]Update, error) {
	path := PathUpdates
	if limit > 0 {
		path += "?" + url.Values{"limit": {strconv.Itoa(limit)}}.Encode()
	}
	var list UpdateList
	if err := c.http.Do(ctx, "platform list updates", http.MethodGet, path, nil, nil, &list); err != nil {
		return nil, err
	}
	return list.Updates, nil
}

// GetUpdate returns the update with slug; an unknown slug is an error
// wrapping ErrNotFound.
func (c *Client) GetUpdate(ctx context.Context, slug string) (Update, error) {
	var u Update
	err := c.http.Do(ctx, "platform get update "+slug, http.MethodGet, PathUpdates+"/"+url.PathEscape(slug), nil, nil, &u)
	if se, ok := httpapi.AsStatusError(err); ok && se.StatusCode == http.StatusNotFound {
		return u, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return u, err
}

// LatestUpdate returns the newest published update; ok is false when the
// Platform has none yet.
func (c *Client) LatestUpdate(ctx context.Context) (Update, bool, error) {
	updates, err := c.ListUpdates(ctx, 1)
	if err != nil || len(updates) == 0 {
		return Update{}, false, err
	}
	return updates[0], true, nil
}

// Stats returns the usage figures the newsletter may quote. A Platform
// without figures (404 or an empty list) is not an error: nil, nil.
func (c *Client) Stats(ctx context.Context) ([]Stat, error) {
	var resp StatsResponse
	err := c.http.Do(ctx, "platform stats", http.MethodGet, PathStats, nil, nil, &resp)
	if se, ok := httpapi.AsStatusError(err); ok && se.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(resp.Stats) == 0 {
		return nil, nil
	}
	return resp.Stats, nil
}
