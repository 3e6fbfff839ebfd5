package markdown

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/sources"
)

// fetchURL reads Markdown served over HTTP, as an internal CMS does.
func (s *Source) fetchURL(ctx context.Context, raw string) (content.Document, error) {
	shown := redact(raw)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return content.Document{}, fmt.Errorf("get markdown %s: %w: the URL is malformed", shown, sources.ErrNotFound)
	}
	req.Header.Set("Accept", "text/markdown, text/plain;q=0.9")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		// A network failure is worth a retry: no sentinel.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = shown
		}
		return content.Document{}, fmt.Errorf("get markdown %s: %w", shown, err)
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return content.Document{}, fmt.Errorf("get markdown %s: %w", shown, err)
	}
	if err := checkContentType(resp.Header.Get("Content-Type")); err != nil {
		return content.Document{}, fmt.Errorf("get markdown %s: %w", shown, err)
	}
	if resp.ContentLength > s.opts.MaxBytes {
		return content.Document{}, fmt.Errorf("get markdown %s: the body is %w", shown, tooLarge(s.opts.MaxBytes))
	}
	data, err := readLimited(resp.Body, s.opts.MaxBytes)
	if err != nil {
		return content.Document{}, fmt.Errorf("get markdown %s: the body is %w", shown, err)
	}
	doc, err := Convert(data)
	if err != nil {
		return content.Document{}, fmt.Errorf("get markdown %s: %w", shown, err)
	}
	doc.Revision = urlRevision(resp.Header, data)
	return doc, nil
}

// checkStatus maps a non-2xx response to the sources sentinels; 408, 429
// and 5xx stay plain errors so they are retried.
func checkStatus(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	status := resp.Status
	if detail := bodySnippet(resp.Body); detail != "" {
		status += " (" + detail + ")"
	}
	switch code := resp.StatusCode; {
	case code == http.StatusNotFound || code == http.StatusGone:
		return fmt.Errorf("%w: the server answered %s; check the URL", sources.ErrNotFound, status)
	case code == http.StatusUnauthorized:
		return fmt.Errorf("%w: the server answered %s; check the credentials the worker sends (markdown source headers)", sources.ErrAuth, status)
	case code == http.StatusForbidden:
		return fmt.Errorf("%w: the server answered %s; grant the worker's account read access", sources.ErrPermission, status)
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("the server answered %s", status)
	}
	return fmt.Errorf("%w: the server answered %s", sources.ErrInvalid, status)
}

// bodySnippet is the start of an error body, on one line.
func bodySnippet(body io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(body, 512))
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

// checkContentType accepts Markdown and plain text, and a missing type.
func checkContentType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("%w: unreadable Content-Type %q", sources.ErrInvalid, ct)
	}
	switch mt {
	case "text/markdown", "text/x-markdown", "text/plain":
		return nil
	}
	return fmt.Errorf("%w: the server sent %s, want text/markdown or text/plain; check that the URL points at the raw Markdown, not a web page", sources.ErrInvalid, mt)
}

// urlRevision prefers the server's own version of the document.
func urlRevision(h http.Header, data []byte) string {
	if etag := h.Get("ETag"); etag != "" {
		return "etag:" + etag
	}
	if lm := h.Get("Last-Modified"); lm != "" {
		return "last-modified:" + lm
	}
	return hashRevision(data)
}

// redact drops credentials and the query from a URL shown in errors, as
// they may carry a token.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	u.Fragment = ""
	return u.String()
}

// hostHeader adds a header to each request, redirects included, whose
// host is one of hosts, so a credential meant for an internal CMS never
// reaches another server.
type hostHeader struct {
	base   http.RoundTripper
	header http.Header
	hosts  []string
}

func (t *hostHeader) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	if !hostAllowed(req.URL, t.hosts) {
		return base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	for k, vs := range t.header {
		if _, set := req.Header[k]; !set {
			req.Header[k] = append([]string(nil), vs...)
		}
	}
	return base.RoundTrip(req)
}

// hostAllowed reports whether u's host is one of hosts (see
// httpapi.HostAllowed).
func hostAllowed(u *url.URL, hosts []string) bool {
	return httpapi.HostAllowed(u.Host, map[string]string{"http": "80", "https": "443"}[u.Scheme], hosts)
}
