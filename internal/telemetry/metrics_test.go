package telemetry_test

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/internal/telemetry/telemetrytest"
)

func newPrometheus(t *testing.T) *telemetry.Prometheus {
	t.Helper()
	p, err := telemetry.NewPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

func scrape(t *testing.T, p *telemetry.Prometheus) telemetrytest.Families {
	t.Helper()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	return telemetrytest.Scrape(t, srv.URL)
}

func TestRecorderThroughTemporalHandler(t *testing.T) {
	p := newPrometheus(t)
	h := telemetry.TemporalMetrics(telemetry.Providers{Meter: p.MeterProvider})
	rec := telemetry.NewRecorder(h.WithTags(map[string]string{"task_queue": "newsletter"}))
	rec.Messages(7, 2, 1)
	rec.Messages(3, 0, 0)
	rec.Edition("sent")
	rec.Edition("sent")
	rec.Edition("rejected")
	rec.ApprovalWait(90*time.Second, "sent")
	rec.ApprovalWait(2*time.Hour, "sent")
	fams := scrape(t, p)

	counters := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"newsletter_messages_total", map[string]string{"result": "accepted", "task_queue": "newsletter"}, 10},
		{"newsletter_messages_total", map[string]string{"result": "duplicate"}, 2},
		{"newsletter_messages_total", map[string]string{"result": "rejected"}, 1},
		{"newsletter_editions_total", map[string]string{"outcome": "sent"}, 2},
		{"newsletter_editions_total", map[string]string{"outcome": "rejected"}, 1},
	}
	for _, c := range counters {
		if got, ok := fams.Value(c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if fams["newsletter_messages_total"].GetType().String() != "COUNTER" {
		t.Errorf("newsletter_messages_total is a %s, want a counter", fams["newsletter_messages_total"].GetType())
	}
	hist := fams.Histogram("newsletter_approval_wait_seconds", map[string]string{"outcome": "sent"})
	if hist == nil {
		t.Fatalf("no newsletter_approval_wait_seconds histogram; have %v", fams.Names("newsletter_"))
	}
	if hist.GetSampleCount() != 2 || math.Abs(hist.GetSampleSum()-(90+7200)) > 0.001 {
		t.Errorf("approval wait count %d sum %v, want 2 and 7290", hist.GetSampleCount(), hist.GetSampleSum())
	}
	// Buckets span minutes to days, so a two-hour wait lands apart from
	// a 90-second one.
	cum := map[float64]uint64{}
	for _, b := range hist.GetBucket() {
		cum[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if cum[300] != 1 || cum[3*3600] != 2 || cum[60] != 0 {
		t.Errorf("approval wait buckets %v: want 1 at 300 s, 2 at 3 h, 0 at 60 s", cum)
	}
}

func TestRecorderWithoutHandler(t *testing.T) {
	rec := telemetry.NewRecorder(nil)
	rec.Messages(1, 1, 1) // must not panic
	rec.Edition("sent")
	rec.ApprovalWait(time.Second, "sent")
	if telemetry.TemporalMetrics(telemetry.Providers{}) != nil {
		t.Error("TemporalMetrics without a meter returned a handler")
	}
	var _ client.MetricsHandler = telemetry.TemporalMetrics(telemetry.Providers{Meter: newPrometheus(t).MeterProvider})
}

func TestMetricsServer(t *testing.T) {
	p := newPrometheus(t)
	telemetry.NewRecorder(telemetry.TemporalMetrics(telemetry.Providers{Meter: p.MeterProvider})).Edition("expired")
	srv, err := telemetry.StartMetricsServer("127.0.0.1:0", p.Handler(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	fams := telemetrytest.Scrape(t, srv.URL())
	if v, ok := fams.Value("newsletter_editions_total", map[string]string{"outcome": "expired"}); !ok || v != 1 {
		t.Errorf("newsletter_editions_total{outcome=expired} = %v (found %v), want 1", v, ok)
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
	resp, err := http.Post(srv.URL(), "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST %s: %d, want 405", srv.URL(), resp.StatusCode)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.URL()); err == nil {
		t.Error("metrics server still answers after Shutdown")
	}
}

func TestMetricsServerAddressInUse(t *testing.T) {
	p := newPrometheus(t)
	first, err := telemetry.StartMetricsServer("127.0.0.1:0", p.Handler(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Shutdown(context.Background())
	_, err = telemetry.StartMetricsServer(first.Addr(), p.Handler(), nil)
	if err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
		t.Fatalf("second server on %s: err = %v, want one naming METRICS_ADDR", first.Addr(), err)
	}
}

func TestAIUsageMetrics(t *testing.T) {
	p := newPrometheus(t)
	rec := telemetry.NewRecorder(telemetry.TemporalMetrics(telemetry.Providers{Meter: p.MeterProvider}))
	rec.AIUsage(1200, 300, 1, 0, false)
	rec.AIUsage(0, 0, 0, 1, false)
	rec.AIUsage(800, 0, 1, 0, true)
	fams := scrape(t, p)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"newsletter_ai_tokens_total", map[string]string{"kind": "prompt"}, 2000},
		{"newsletter_ai_tokens_total", map[string]string{"kind": "completion"}, 300},
		{"newsletter_ai_requests_total", map[string]string{"result": "model"}, 2},
		{"newsletter_ai_requests_total", map[string]string{"result": "cached"}, 1},
		{"newsletter_ai_requests_total", map[string]string{"result": "failed"}, 1},
	} {
		if got, ok := fams.Value(c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
}
