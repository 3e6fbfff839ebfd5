package telemetry_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/halcytone/contentgen/internal/telemetry"
)

func lookup(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestTracingFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set", nil, false},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true},
		{"exporter otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{"exporter none wins", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, false},
		{"sdk disabled wins", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false},
		{"other exporter name", map[string]string{"OTEL_TRACES_EXPORTER": "console"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := telemetry.TracingFromEnv(lookup(tt.env)); got != tt.want {
				t.Errorf("TracingFromEnv = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProtocolFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "grpc"},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, "http/protobuf"},
	}
	for _, tt := range tests {
		if got := telemetry.ProtocolFromEnv(lookup(tt.env)); got != tt.want {
			t.Errorf("ProtocolFromEnv(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// keepGlobals restores the OpenTelemetry globals Setup replaces.
func keepGlobals(t *testing.T) {
	tp, prop := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() {
		if otel.GetTracerProvider() != tp {
			otel.SetTracerProvider(tp)
		}
		otel.SetTextMapPropagator(prop)
	})
}

func TestSetupInstallsProviderAndPropagator(t *testing.T) {
	keepGlobals(t)
	rec := tracetest.NewSpanRecorder()
	shutdown, err := telemetry.Setup(context.Background(), telemetry.Config{ServiceName: "worker-test", Enabled: true, SpanProcessor: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("test").Start(context.Background(), "op")
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	ended := rec.Ended()
	if len(ended) != 1 || ended[0].Name() != "op" {
		t.Fatalf("recorded %d spans, want the one named op", len(ended))
	}
	if v, _ := ended[0].Resource().Set().Value("service.name"); v.AsString() != "worker-test" {
		t.Errorf("service.name = %q, want worker-test", v.AsString())
	}
	if !strings.HasPrefix(carrier.Get("traceparent"), "00-"+span.SpanContext().TraceID().String()) {
		t.Errorf("traceparent %q does not carry the span's trace ID", carrier.Get("traceparent"))
	}
}

func TestSetupDisabledKeepsTracerProvider(t *testing.T) {
	keepGlobals(t)
	before := otel.GetTracerProvider()
	shutdown, err := telemetry.Setup(context.Background(), telemetry.Config{ServiceName: "worker-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if otel.GetTracerProvider() != before {
		t.Error("disabled Setup replaced the tracer provider")
	}
	fields := otel.GetTextMapPropagator().Fields()
	if !slices.Contains(fields, "traceparent") || !slices.Contains(fields, "baggage") {
		t.Errorf("propagator fields %v, want traceparent and baggage", fields)
	}
}

func TestSetupRejectsUnknownProtocol(t *testing.T) {
	keepGlobals(t)
	_, err := telemetry.Setup(context.Background(), telemetry.Config{ServiceName: "w", Enabled: true, Protocol: "carrier-pigeon"})
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Fatalf("err = %v, want one naming OTEL_EXPORTER_OTLP_PROTOCOL", err)
	}
}

func TestSetupBuildsOTLPExporters(t *testing.T) {
	for _, proto := range []string{telemetry.ProtocolGRPC, telemetry.ProtocolHTTP} {
		t.Run(proto, func(t *testing.T) {
			keepGlobals(t)
			// Nothing listens there; building the exporter must not dial.
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
			shutdown, err := telemetry.Setup(context.Background(), telemetry.Config{ServiceName: "w", Enabled: true, Protocol: proto})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); !ok {
				t.Errorf("tracer provider %T, want the SDK's", otel.GetTracerProvider())
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // no span was started, so there is nothing to wait for
			_ = shutdown(ctx)
		})
	}
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		format, level string
		want          string // in the output of one Info line; "" for no output
		wantErr       bool
	}{
		{"json", "info", `"msg":"hello"`, false},
		{"text", "debug", "msg=hello", false},
		{"", "", "msg=hello", false},
		{"json", "warn", "", false},
		{"yaml", "info", "", true},
		{"json", "loud", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.level, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := telemetry.NewLogger(&buf, tt.format, tt.level)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			log.Info("hello", "workflowId", "newsletter-2026-W48")
			if got := buf.String(); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("output %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
