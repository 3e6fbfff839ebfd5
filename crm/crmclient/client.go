// Package crmclient is the HTTP client of the CRM contract (package crm).
package crmclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// Options configure a Client.
type Options struct {
	// BaseURL is the CRM's root, e.g. "http://127.0.0.1:8081".
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <key>".
	APIKey string
	// HTTPClient, when set, is used as is (Timeout is then ignored).
	HTTPClient *http.Client
	// Timeout bounds each request (default 30 s).
	Timeout time.Duration
	// SigningSecret, when set, signs every request with X-Signature and
	// X-Signature-Timestamp (see httpapi.Sign).
	SigningSecret string
}

// Client talks to a CRM that implements the contract in this package.
type Client struct {
	http *httpapi.Client
}

// New returns a Client for o.
func New(o Options) *Client {
	hc := httpapi.NewClient(o.BaseURL, o.APIKey, o.HTTPClient, o.Timeout)
	if o.SigningSecret != "" {
		hc.HTTP = httpapi.WithSigning(hc.HTTP, o.SigningSecret)
	}
	return &Client{http: hc}
}

// Recipients reads one page of subscribed recipients. Several segments
// select their union; none selects every subscribed contact. An empty
// cursor starts at the beginning; limit 0 lets the CRM choose.
func (c *Client) Recipients(ctx context.Context, segments []string, cursor string, limit int) (crm.RecipientsPage, error) {
	q := url.Values{}
	for _, s := range segments {
		q.Add("segment", s)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var page crm.RecipientsPage
	err := c.http.Do(ctx, "crm recipients", http.MethodGet, withQuery(crm.PathRecipients, q), nil, nil, &page)
	return page, err
}

// ErrTimezonesUnsupported is returned by RecipientTimezones when the CRM
// does not list recipients by time zone, so it cannot send by time zone
// either.
var ErrTimezonesUnsupported = errors.New("the CRM does not implement " + crm.PathRecipientTimezones + ", so it cannot filter recipients by time zone; start the edition without time-zone windows (no --tz-windows, NEWSLETTER_TZ_WINDOWS=false) or upgrade the CRM")

// RecipientTimezones counts the subscribed recipients of segments by their
// timezone attribute. A CRM without the endpoint gives
// ErrTimezonesUnsupported.
func (c *Client) RecipientTimezones(ctx context.Context, segments []string) (crm.TimezonesReply, error) {
	q := url.Values{}
	for _, s := range segments {
		q.Add("segment", s)
	}
	var reply crm.TimezonesReply
	err := c.http.Do(ctx, "crm recipient time zones", http.MethodGet, withQuery(crm.PathRecipientTimezones, q), nil, nil, &reply)
	if se, ok := httpapi.AsStatusError(err); ok {
		switch se.StatusCode {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			return reply, fmt.Errorf("%w (HTTP %d)", ErrTimezonesUnsupported, se.StatusCode)
		}
	}
	return reply, err
}

// RecipientsIn is Recipients for a query that may also name time zones
// (crm.ParamTimezone). Only a CRM that answers RecipientTimezones takes
// that filter; check it first.
func (c *Client) RecipientsIn(ctx context.Context, rq crm.RecipientQuery, cursor string, limit int) (crm.RecipientsPage, error) {
	q := url.Values{}
	for _, s := range rq.Segments {
		q.Add("segment", s)
	}
	for _, tz := range rq.Timezones {
		q.Add(crm.ParamTimezone, tz)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var page crm.RecipientsPage
	err := c.http.Do(ctx, "crm recipients", http.MethodGet, withQuery(crm.PathRecipients, q), nil, nil, &page)
	return page, err
}

// SendNewsletter posts one batch of messages. idempotencyKey must be stable
// across retries of the same batch. A non-2xx reply is a
// *httpapi.StatusError carrying the server's Retry-After.
func (c *Client) SendNewsletter(ctx context.Context, idempotencyKey string, req crm.NewsletterRequest) (crm.NewsletterResponse, error) {
	var resp crm.NewsletterResponse
	if idempotencyKey == "" {
		return resp, errors.New("crm send newsletter: empty idempotency key; derive one from the newsletter ID and batch")
	}
	hdr := http.Header{httpapi.HeaderIdempotencyKey: {idempotencyKey}}
	err := c.http.Do(ctx, "crm send newsletter", http.MethodPost, crm.PathNewsletter, hdr, req, &resp)
	return resp, err
}

// ErrContentUnsupported is returned by PutContent when the CRM does not
// implement content uploads: batches must then carry their variants.
var ErrContentUnsupported = errors.New("the CRM does not implement " + crm.PathNewsletterContent + "; batches carry their variants inline")

// PutContent uploads a newsletter's variants once. The same digest again
// is accepted; another digest after sending began is a 409
// *httpapi.StatusError with code crm.CodeContentLocked.
func (c *Client) PutContent(ctx context.Context, newsletterID string, variants []crm.Variant) (crm.ContentResponse, error) {
	return c.PutContentStream(ctx, newsletterID, crm.ContentDigest(variants), len(variants), func(i int, w io.Writer) error {
		return crm.WriteVariant(w, variants[i])
	})
}

// PutContentStream is PutContent for variants that are written as the
// request goes out: next writes variant i's JSON encoding (as
// crm.WriteVariant writes it) to w, and digest is crm.ContentDigest of them
// all. A large edition's variants are never in memory together.
func (c *Client) PutContentStream(ctx context.Context, newsletterID, digest string, variants int, next func(i int, w io.Writer) error) (crm.ContentResponse, error) {
	var resp crm.ContentResponse
	err := c.http.DoStream(ctx, "crm put newsletter content", http.MethodPut, crm.NewsletterContentPath(newsletterID), nil,
		func(w io.Writer) error { return crm.WriteContentRequest(w, digest, variants, next) }, &resp)
	if se, ok := httpapi.AsStatusError(err); ok {
		switch se.StatusCode {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			if se.Detail.Code != crm.CodeContentLocked {
				return resp, fmt.Errorf("%w (HTTP %d)", ErrContentUnsupported, se.StatusCode)
			}
		}
	}
	return resp, err
}

// Content says which content a newsletter uploaded (digest and variant
// IDs); a 404 *httpapi.StatusError when none.
func (c *Client) Content(ctx context.Context, newsletterID string) (crm.ContentResponse, error) {
	var resp crm.ContentResponse
	err := c.http.Do(ctx, "crm newsletter content", http.MethodGet, crm.NewsletterContentPath(newsletterID), nil, nil, &resp)
	return resp, err
}

// ImportContacts uploads a contacts CSV (header row "email,name,segments,…";
// further columns are attributes). Row problems are reported in
// crm.ImportResult.Errors, not as an error.
func (c *Client) ImportContacts(ctx context.Context, csv io.Reader) (crm.ImportResult, error) {
	const op = "crm import contacts"
	var res crm.ImportResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.http.BaseURL+crm.PathContacts, csv)
	if err != nil {
		return res, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Accept", "application/json")
	if c.http.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.http.APIKey)
	}
	if id := httpapi.CorrelationID(ctx); id != "" {
		req.Header.Set(httpapi.HeaderCorrelationID, id)
	}
	resp, err := c.http.HTTP.Do(req)
	if err != nil {
		return res, fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, httpapi.ReadError(op, resp)
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return res, fmt.Errorf("%s: decode reply: %w", op, err)
	}
	return res, nil
}

// Deliveries reads one page of the reference CRM's delivery log for a
// newsletter, with counts by status. status, when not empty, filters rows.
func (c *Client) Deliveries(ctx context.Context, newsletterID, status, cursor string, limit int) (crm.DeliveriesPage, error) {
	q := url.Values{"newsletter_id": {newsletterID}}
	if status != "" {
		q.Set("status", status)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var page crm.DeliveriesPage
	err := c.http.Do(ctx, "crm deliveries", http.MethodGet, withQuery(crm.PathDeliveries, q), nil, nil, &page)
	return page, err
}

// Sender reads how the CRM sends (crm.PathSender): sender, DKIM and
// return-path domain. A CRM without the endpoint answers 404.
func (c *Client) Sender(ctx context.Context) (crm.Sender, error) {
	var s crm.Sender
	err := c.http.Do(ctx, "crm sender", http.MethodGet, crm.PathSender, nil, nil, &s)
	return s, err
}

// Report reads what a newsletter achieved: deliveries, bounces,
// complaints and unsubscribes, clicks by section, link and day, and opens
// (estimates). A newsletter the CRM does not know is a 404
// *httpapi.StatusError.
func (c *Client) Report(ctx context.Context, newsletterID string) (crm.Report, error) {
	var rep crm.Report
	if newsletterID == "" {
		return rep, errors.New("crm newsletter report: empty newsletter ID")
	}
	err := c.http.Do(ctx, "crm newsletter report", http.MethodGet, crm.NewsletterReportPath(newsletterID), nil, nil, &rep)
	return rep, err
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
