package e2e

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/workflows"
)

// observedClient dials the dev server with the instrumentation the worker
// main adds: p's logger, tracing interceptor and SDK metrics handler.
func observedClient(t *testing.T, hostPort string, p telemetry.Providers) client.Client {
	t.Helper()
	opts := client.Options{HostPort: hostPort, Namespace: "default"}
	if p.Logger != nil {
		opts.Logger = tlog.NewStructuredLogger(p.Logger)
	}
	if err := app.WithTelemetry(&opts, p); err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(opts)
	if err != nil {
		t.Fatalf("dial %s: %v", hostPort, err)
	}
	t.Cleanup(c.Close)
	return c
}

// handler wraps a reference server's handler in otelhttp as its main does,
// when the stack is observed.
func (o stackOptions) handler(name string, h http.Handler) http.Handler {
	if o.observe == nil {
		return h
	}
	return telemetry.Handler(h, name, *o.observe)
}

// httpClient is the CRM and Platform clients' HTTP client: nil (the
// default) unless the stack is observed.
func (o stackOptions) httpClient() *http.Client {
	if o.observe == nil {
		return nil
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: telemetry.Transport(nil, *o.observe)}
}

// approveAndWait approves id as ana@example.com and returns its result.
func approveAndWait(t *testing.T, s *stack, id string) workflows.Result {
	t.Helper()
	return approveAndWaitWithin(t, s, id, 2*time.Minute)
}

// approveAndWaitWithin is approveAndWait with its own bound on the wait
// for the result.
func approveAndWaitWithin(t *testing.T, s *stack, id string, wait time.Duration) workflows.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok := s.mint(t, id, "ana@example.com", workflows.SignalApprove)
	if err := s.temporal.SignalWorkflow(ctx, id, "", workflows.SignalApprove, workflows.ApproveSignal{By: "ana@example.com", Token: tok}); err != nil {
		t.Fatalf("approve %s: %v", id, err)
	}
	res := resultWithin(t, s, id, wait)
	if res.Outcome != workflows.OutcomeSent {
		t.Fatalf("outcome %q, want sent: %+v", res.Outcome, res)
	}
	return res
}

// syncBuffer is a bytes.Buffer that log handlers on several goroutines
// can write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns what was written so far and empties the buffer.
func (b *syncBuffer) take() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := bytes.Clone(b.buf.Bytes())
	b.buf.Reset()
	return out
}
