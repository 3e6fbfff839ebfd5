package telemetry

import (
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/httpapi"
)

// Transport wraps base (nil: http.DefaultTransport) for the CRM and
// Platform clients: each request is a client span whose context travels in
// the traceparent header, is measured in http.client.* metrics, and is
// logged at debug level with its X-Correlation-ID.
func Transport(base http.RoundTripper, p Providers) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(logTransport{next: base, log: p.Logger}, httpOptions(p)...)
}

// Handler wraps a server's handler as the reference servers do: a server
// span per request, continuing the caller's trace from traceparent.
func Handler(h http.Handler, operation string, p Providers) http.Handler {
	return otelhttp.NewHandler(h, operation, httpOptions(p)...)
}

// httpOptions uses p's providers where set, else otelhttp's default: the
// global ones.
func httpOptions(p Providers) []otelhttp.Option {
	opts := []otelhttp.Option{otelhttp.WithPropagators(Propagator())}
	if p.Tracer != nil {
		opts = append(opts, otelhttp.WithTracerProvider(p.Tracer))
	}
	if p.Meter != nil {
		opts = append(opts, otelhttp.WithMeterProvider(p.Meter))
	}
	return opts
}

// logTransport logs each request at debug level. Inside an activity it
// logs through the activity's logger, so the line carries WorkflowID and
// ActivityType besides the correlation ID.
type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (t logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	kv := []any{"method", req.Method, "url", req.URL.Redacted(), "durationMs", time.Since(start).Milliseconds(),
		"correlationId", req.Header.Get(httpapi.HeaderCorrelationID)}
	if resp != nil {
		kv = append(kv, "status", resp.StatusCode)
	}
	if err != nil {
		kv = append(kv, "err", err)
	}
	ctx := req.Context()
	switch {
	case activity.IsActivity(ctx):
		activity.GetLogger(ctx).Debug("http request", kv...)
	case t.log != nil:
		t.log.DebugContext(ctx, "http request", kv...)
	}
	return resp, err
}
