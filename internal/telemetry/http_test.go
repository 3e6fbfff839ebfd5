package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/telemetry"
)

func recordingProviders(t *testing.T, logs *bytes.Buffer) (*tracetest.SpanRecorder, telemetry.Providers) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return rec, telemetry.Providers{Tracer: tp, Logger: log}
}

func TestTransportAndHandlerShareTrace(t *testing.T) {
	var logs bytes.Buffer
	rec, p := recordingProviders(t, &logs)
	var gotParent, gotCorrelation string
	srv := httptest.NewServer(telemetry.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotParent = r.Header.Get("traceparent")
		gotCorrelation = r.Header.Get(httpapi.HeaderCorrelationID)
		w.WriteHeader(http.StatusAccepted)
	}), "crm", p))
	defer srv.Close()

	c := httpapi.NewClient(srv.URL, "key", &http.Client{Transport: telemetry.Transport(nil, p)}, 0)
	ctx, parent := p.Tracer.Tracer("test").Start(context.Background(), "RunActivity:SendNewsletter")
	ctx = httpapi.WithCorrelationID(ctx, "newsletter-2026-W48")
	if err := c.Do(ctx, "send", http.MethodPost, "/api/v1/notifications/newsletter", nil, map[string]string{}, nil); err != nil {
		t.Fatal(err)
	}
	parent.End()

	traceID := parent.SpanContext().TraceID()
	if !strings.Contains(gotParent, traceID.String()) {
		t.Errorf("server got traceparent %q, want trace %s", gotParent, traceID)
	}
	if gotCorrelation != "newsletter-2026-W48" {
		t.Errorf("server got %s %q", httpapi.HeaderCorrelationID, gotCorrelation)
	}
	kinds := map[trace.SpanKind]int{}
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() != traceID {
			t.Errorf("span %s in trace %s, want %s", s.Name(), s.SpanContext().TraceID(), traceID)
		}
		kinds[s.SpanKind()]++
	}
	if kinds[trace.SpanKindClient] != 1 || kinds[trace.SpanKindServer] != 1 {
		t.Errorf("span kinds %v, want one client and one server span", kinds)
	}

	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("request log %q: %v", logs.String(), err)
	}
	if line["msg"] != "http request" || line["correlationId"] != "newsletter-2026-W48" || line["status"] != float64(202) || line["method"] != "POST" {
		t.Errorf("request log %v: want msg, method, status and correlationId", line)
	}
}

func TestTransportLogsFailures(t *testing.T) {
	var logs bytes.Buffer
	_, p := recordingProviders(t, &logs)
	hc := &http.Client{Transport: telemetry.Transport(nil, p)}
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/api/v1/recipients", nil)
	if resp, err := hc.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("request to a closed port succeeded")
	}
	if !strings.Contains(logs.String(), `"err"`) || !strings.Contains(logs.String(), "/api/v1/recipients") {
		t.Errorf("failure log %q: want the URL and the error", logs.String())
	}
}

func TestTemporalInterceptors(t *testing.T) {
	ics, err := telemetry.TemporalInterceptors(telemetry.Providers{})
	if err != nil || len(ics) != 0 {
		t.Fatalf("without a tracer: %d interceptors, %v; want none", len(ics), err)
	}
	_, p := recordingProviders(t, &bytes.Buffer{})
	ics, err = telemetry.TemporalInterceptors(p)
	if err != nil || len(ics) != 1 {
		t.Fatalf("with a tracer: %d interceptors, %v; want the tracing one", len(ics), err)
	}
}
