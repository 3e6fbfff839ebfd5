package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Header names shared by both contracts.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderCorrelationID  = "X-Correlation-ID"
)

type correlationKey struct{}

// WithCorrelationID returns a context whose outgoing requests carry id as
// X-Correlation-ID (the workflow ID, so a run can be followed into the CRM
// and the Platform logs).
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// CorrelationID returns the ID set by WithCorrelationID, or "".
func CorrelationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}

// Client is the transport both contract clients share: base URL, bearer
// key, JSON in and out, typed errors.
type Client struct {
	BaseURL string
	APIKey  string
	HTTP    *http.Client
}

// NewClient returns a Client; a nil hc gets one with the given timeout
// (30 s when zero).
func NewClient(baseURL, apiKey string, hc *http.Client, timeout time.Duration) *Client {
	if hc == nil {
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		hc = &http.Client{Timeout: timeout}
	}
	return &Client{BaseURL: baseURL, APIKey: apiKey, HTTP: hc}
}

// Do sends a request with an optional JSON body and decodes a 2xx JSON reply
// into out (when not nil). A non-2xx reply returns a *StatusError; a
// transport failure is wrapped with op.
func (c *Client) Do(ctx context.Context, op, method, path string, hdr http.Header, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s: encode request: %w", op, err)
		}
		rd = bytes.NewReader(b)
	}
	return c.do(ctx, op, method, path, hdr, rd, out)
}

// DoStream is Do with a JSON body that write writes as the request goes
// out, so a body of many megabytes is never held in memory. An error of
// write fails the request and is returned, wrapped with op.
//
// A streamed body may be far larger than any JSON request, so the client's
// whole-request timeout does not bound it: the same duration bounds each
// stall while the body goes out, replyWaitFactor times it bounds the wait
// for the reply after the body, and ctx bounds the whole.
func (c *Client) DoStream(ctx context.Context, op, method, path string, hdr http.Header, write func(w io.Writer) error, out any) error {
	sc := *c
	hc := *c.HTTP
	stall := hc.Timeout
	hc.Timeout = 0
	sc.HTTP = &hc
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stalled := fmt.Errorf("no progress for %s", stall)
	var timer *time.Timer
	if stall > 0 {
		timer = time.AfterFunc(stall, func() { cancel(stalled) })
		defer timer.Stop()
	}
	pr, pw := io.Pipe()
	werr := make(chan error, 1)
	go func() {
		var dst io.Writer = pw
		if timer != nil {
			dst = progressWriter{w: pw, timer: timer, stall: stall}
		}
		bw := bufio.NewWriterSize(dst, 64<<10)
		err := write(bw)
		if err == nil {
			err = bw.Flush()
		}
		if timer != nil && err == nil {
			// The whole body is out: the server may now take a while
			// to take in megabytes before it replies.
			timer.Reset(replyWaitFactor * stall)
		}
		werr <- err
		pw.CloseWithError(err)
	}()
	err := sc.do(ctx, op, method, path, hdr, pr, out)
	_ = pr.CloseWithError(errRequestDone)
	e := <-werr
	if err != nil && errors.Is(context.Cause(ctx), stalled) {
		return fmt.Errorf("%w (%v)", err, stalled)
	}
	if e != nil && !errors.Is(e, errRequestDone) && err != nil {
		return fmt.Errorf("%s: encode request: %w", op, e)
	}
	return err
}

// replyWaitFactor scales the client's timeout into the wait for a reply
// to a streamed body, which the server may process at length.
const replyWaitFactor = 10

// progressWriter restarts the stall timer each time the body moves on.
type progressWriter struct {
	w     io.Writer
	timer *time.Timer
	stall time.Duration
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.timer.Reset(p.stall)
	return n, err
}

// errRequestDone stops a body writer the request no longer reads.
var errRequestDone = errors.New("the request finished before its body was written")

func (c *Client) do(ctx context.Context, op, method, path string, hdr http.Header, rd io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	if id := CorrelationID(ctx); id != "" {
		req.Header.Set(HeaderCorrelationID, id)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return ReadError(op, resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s: decode reply: %w", op, err)
	}
	return nil
}
