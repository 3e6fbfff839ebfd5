package social

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/halcytone/contentgen/internal/retryafter"
)

// maxReply bounds how much of a reply a client reads.
const maxReply = 4 << 20

// HTTPClient returns hc, or a client with a 30-second timeout when nil.
func HTTPClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// Reply is a network's answer to one request.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// OK reports a 2xx status.
func (r Reply) OK() bool { return r.Status >= 200 && r.Status <= 299 }

// Decode unmarshals the body into out, naming op in the error.
func (r Reply) Decode(network, op string, out any) error {
	if err := json.Unmarshal(r.Body, out); err != nil {
		return &Error{Network: network, Op: op, Kind: KindUnavailable, Status: r.Status, Message: "unreadable reply: " + err.Error(), Err: err}
	}
	return nil
}

// NewJSONRequest builds a request with a JSON body (nil for none).
func NewJSONRequest(ctx context.Context, method, url string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return req, nil
}

// Do sends req with hc and reads the reply. A failure with no reply is a
// retryable *Error; any status is returned for the caller to map.
func Do(hc *http.Client, req *http.Request, network, op string) (Reply, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return Reply{}, Transport(network, op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return Reply{}, Transport(network, op, err)
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// RetryAfter reads the standard Retry-After header, 0 when absent.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	d, _ := retryafter.Header(h, now)
	return d
}

// UntilUnix is the time from now until a Unix-seconds reset header
// (Bluesky's RateLimit-Reset, X's x-rate-limit-reset), 0 when absent.
func UntilUnix(v string, now time.Time) time.Duration {
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0
	}
	if d := time.Unix(secs, 0).Sub(now); d > 0 {
		return d
	}
	return 0
}
