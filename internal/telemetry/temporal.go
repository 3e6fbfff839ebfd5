package telemetry

import (
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Providers are where a process reports. A nil field turns that signal off
// for the pieces built from it (HTTP instrumentation then falls back to the
// global providers, which are no-ops unless Setup installed one).
type Providers struct {
	Tracer trace.TracerProvider
	Meter  metric.MeterProvider
	// Logger receives instrumentation errors and HTTP request logs.
	Logger *slog.Logger
}

// TemporalInterceptors returns the client interceptors for p: the SDK's
// OpenTelemetry tracing interceptor, which also applies to workers built
// from the client, so StartWorkflow, RunWorkflow, StartActivity and
// RunActivity spans join one trace and activity contexts carry the span.
func TemporalInterceptors(p Providers) ([]interceptor.ClientInterceptor, error) {
	if p.Tracer == nil {
		return nil, nil
	}
	tr, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{
		Tracer:            p.Tracer.Tracer("temporal-sdk-go"),
		TextMapPropagator: Propagator(),
	})
	if err != nil {
		return nil, fmt.Errorf("telemetry: temporal tracing interceptor: %w", err)
	}
	return []interceptor.ClientInterceptor{tr}, nil
}

// TemporalMetrics returns the SDK metrics handler over p.Meter, or nil
// when p has no meter. A failing instrument is logged, never a panic.
func TemporalMetrics(p Providers) client.MetricsHandler {
	if p.Meter == nil {
		return nil
	}
	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                p.Meter.Meter("temporal-sdk-go"),
		OnError:              func(err error) { log.Warn("temporal metric", "err", err) },
		UseMonotonicCounters: true,
	})
}
