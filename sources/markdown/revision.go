package markdown

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/halcytone/contentgen/sources"
)

var _ sources.Reviser = (*Source)(nil)

// Revision returns the revision Fetch would give the document, more
// cheaply where it can: for a file, the digest of its bytes (no
// conversion); for a URL, the ETag or Last-Modified of a HEAD request,
// falling back to a GET and the digest of the body when the server sends
// neither or refuses HEAD. A folder is read as Fetch reads it.
func (s *Source) Revision(ctx context.Context, id string) (string, error) {
	id = strings.TrimSpace(id)
	if strings.HasPrefix(id, "http://") || strings.HasPrefix(id, "https://") {
		return s.urlRevision(ctx, id)
	}
	if id == "" {
		return "", fmt.Errorf("read markdown: %w: no path given; use a file, a folder or an http(s) URL", sources.ErrNotFound)
	}
	path := s.resolve(id)
	info, err := os.Stat(path)
	if err != nil {
		return "", s.fileError(path, err)
	}
	if info.IsDir() {
		doc, err := s.fetchFolder(ctx, path)
		if err != nil {
			return "", err
		}
		return doc.Revision, nil
	}
	data, err := s.readFile(path)
	if err != nil {
		return "", err
	}
	return hashRevision(data), nil
}

func (s *Source) urlRevision(ctx context.Context, raw string) (string, error) {
	shown := redact(raw)
	rev, err := s.head(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("head markdown %s: %w", shown, err)
	}
	if rev != "" {
		return rev, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return "", fmt.Errorf("get markdown %s: %w: the URL is malformed", shown, sources.ErrNotFound)
	}
	req.Header.Set("Accept", "text/markdown, text/plain;q=0.9")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("get markdown %s: %w", shown, redactURLError(err, shown))
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return "", fmt.Errorf("get markdown %s: %w", shown, err)
	}
	data, err := readLimited(resp.Body, s.opts.MaxBytes)
	if err != nil {
		return "", fmt.Errorf("get markdown %s: the body is %w", shown, err)
	}
	return urlRevision(resp.Header, data), nil
}

// head asks for the document's ETag or Last-Modified. It returns "" when
// the server sends neither or does not answer HEAD, so the caller reads
// the body instead.
func (s *Source) head(ctx context.Context, raw string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, raw, nil)
	if err != nil {
		return "", fmt.Errorf("%w: the URL is malformed", sources.ErrNotFound)
	}
	req.Header.Set("Accept", "text/markdown, text/plain;q=0.9")
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return "", redactURLError(err, redact(raw))
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return "", nil
	}
	if err := checkStatus(resp); err != nil {
		return "", err
	}
	if resp.Header.Get("ETag") == "" && resp.Header.Get("Last-Modified") == "" {
		return "", nil
	}
	return urlRevision(resp.Header, nil), nil
}

// redactURLError keeps credentials in a URL out of a network error.
func redactURLError(err error, shown string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = shown
	}
	return err
}
