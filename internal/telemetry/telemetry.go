// Package telemetry sets up what operators watch a run with: OpenTelemetry
// traces exported over OTLP, metrics on a Prometheus endpoint, structured
// logs, and the instrumentation that ties them to the Temporal client and
// the HTTP clients.
//
// It reads no environment itself: mains map variables onto Config (see
// TracingFromEnv). The OTLP exporters read the standard OTEL_EXPORTER_OTLP_*
// variables as every OpenTelemetry SDK does.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// OTLP protocols, as OTEL_EXPORTER_OTLP_PROTOCOL names them.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// Config configures tracing for one process.
type Config struct {
	// ServiceName is the service.name resource attribute (OTEL_SERVICE_NAME,
	// when set, wins).
	ServiceName string
	// ServiceVersion is the service.version resource attribute.
	ServiceVersion string
	// Enabled turns on exporting; off, Setup only installs the propagator.
	Enabled bool
	// Protocol is ProtocolGRPC or ProtocolHTTP (default).
	Protocol string
	// SpanProcessor, when set, replaces the batching OTLP exporter; tests
	// pass a tracetest.SpanRecorder.
	SpanProcessor sdktrace.SpanProcessor
}

// Propagator is the W3C trace context and baggage propagator used on every
// hop: HTTP headers and Temporal headers alike.
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// TracingFromEnv reports whether the standard variables ask for traces:
// an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp, unless the SDK is disabled
// or the exporter is "none". lookup is os.Getenv in mains.
func TracingFromEnv(lookup func(string) string) bool {
	if strings.EqualFold(lookup("OTEL_SDK_DISABLED"), "true") {
		return false
	}
	switch strings.ToLower(lookup("OTEL_TRACES_EXPORTER")) {
	case "otlp":
		return true
	case "none":
		return false
	}
	return lookup("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// ProtocolFromEnv returns the OTLP protocol the standard variables name
// (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL),
// or "" for the default.
func ProtocolFromEnv(lookup func(string) string) string {
	if p := lookup("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"); p != "" {
		return p
	}
	return lookup("OTEL_EXPORTER_OTLP_PROTOCOL")
}

// Setup installs the global propagator and, when cfg.Enabled, a global
// tracer provider exporting over OTLP. The returned function flushes
// pending spans and stops the exporter; call it before the process exits.
func Setup(ctx context.Context, cfg Config) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(Propagator())
	if !cfg.Enabled {
		return func(context.Context) error { return nil }, nil
	}
	attrs := []attribute.KeyValue{semconv.ServiceName(cfg.ServiceName)}
	if cfg.ServiceVersion != "" {
		attrs = append(attrs, semconv.ServiceVersion(cfg.ServiceVersion))
	}
	res, err := resource.New(ctx, resource.WithAttributes(attrs...),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("telemetry: describe service %s: %w", cfg.ServiceName, err)
	}
	proc := cfg.SpanProcessor
	if proc == nil {
		exp, err := newExporter(ctx, cfg.Protocol)
		if err != nil {
			return nil, err
		}
		proc = sdktrace.NewBatchSpanProcessor(exp)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithResource(res), sdktrace.WithSpanProcessor(proc))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// newExporter builds the OTLP span exporter for protocol; the exporter
// reads its endpoint, headers, TLS and timeout from OTEL_EXPORTER_OTLP_*.
func newExporter(ctx context.Context, protocol string) (sdktrace.SpanExporter, error) {
	var (
		exp sdktrace.SpanExporter
		err error
	)
	switch protocol {
	case ProtocolGRPC:
		exp, err = otlptracegrpc.New(ctx)
	case ProtocolHTTP, "":
		exp, err = otlptracehttp.New(ctx)
	default:
		return nil, fmt.Errorf("telemetry: OTLP protocol %q: want %s or %s (OTEL_EXPORTER_OTLP_PROTOCOL)", protocol, ProtocolGRPC, ProtocolHTTP)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTLP %s exporter: %w", protocol, err)
	}
	return exp, nil
}
