package notion

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/halcytone/contentgen/sources/internal/httpretry"
)

// maxListBody bounds a block-children answer kept for inspection; Notion
// pages hold at most 100 blocks.
const maxListBody = 32 << 20

// transport points requests at the configured base URL and records, for the
// call that made them, the HTTP status and (on request) the body: the
// library reduces some answers to errors that lose the status, and decodes
// blocks of types it does not know into empty values.
type transport struct {
	base *url.URL // nil keeps api.notion.com
	next *httpretry.Transport
}

// exchange is what transport records for one library call.
type exchange struct {
	keepBody bool
	status   int
	body     []byte
}

type exchangeKey struct{}

// call runs fn with a context through which transport records the HTTP
// exchange, and returns fn's error annotated with the last status seen.
func (s *Source) call(ctx context.Context, keepBody bool, fn func(context.Context) error) error {
	_, err := s.callRecorded(ctx, keepBody, fn)
	return err
}

func (s *Source) callRecorded(ctx context.Context, keepBody bool, fn func(context.Context) error) (*exchange, error) {
	ex := &exchange{keepBody: keepBody}
	if err := fn(context.WithValue(ctx, exchangeKey{}, ex)); err != nil {
		return ex, &callError{status: ex.status, err: err}
	}
	return ex, nil
}

// callError carries the HTTP status of a failed call next to the
// library's error.
type callError struct {
	status int
	err    error
}

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req
	if t.base != nil {
		out = req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host = t.base.Scheme, t.base.Host
		out.URL.Path = t.base.Path + req.URL.Path
		out.URL.RawPath = ""
		out.Host = ""
	}
	resp, err := t.next.RoundTrip(out)
	ex, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if err != nil || ex == nil {
		return resp, err
	}
	ex.status = resp.StatusCode
	if ex.keepBody && resp.StatusCode == http.StatusOK {
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxListBody+1))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(body) > maxListBody {
			return nil, fmt.Errorf("notion answer to %s is larger than %d bytes", strings.TrimPrefix(req.URL.Path, "/"), maxListBody)
		}
		ex.body = body
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}
