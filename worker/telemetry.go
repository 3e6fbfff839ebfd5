package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/halcytone/contentgen/internal/telemetry"
)

// observability is what the worker reports to: OTLP traces when the OTEL_*
// variables ask for them, a Prometheus endpoint when METRICS_ADDR is set.
type observability struct {
	providers telemetry.Providers
	closers   []func(context.Context) error
}

func setupTelemetry(ctx context.Context, logger *slog.Logger, metricsAddr string) (*observability, error) {
	o := &observability{providers: telemetry.Providers{Logger: logger}}
	tracing := telemetry.TracingFromEnv(os.Getenv)
	shutdown, err := telemetry.Setup(ctx, telemetry.Config{ServiceName: "newsletter-worker", Enabled: tracing,
		Protocol: telemetry.ProtocolFromEnv(os.Getenv)})
	if err != nil {
		return nil, err
	}
	o.closers = append(o.closers, shutdown)
	if tracing {
		o.providers.Tracer = otel.GetTracerProvider()
		logger.Info("exporting traces over OTLP")
	}
	if metricsAddr != "" {
		prom, err := telemetry.NewPrometheus()
		if err != nil {
			return nil, errors.Join(err, o.close())
		}
		srv, err := telemetry.StartMetricsServer(metricsAddr, prom.Handler(), logger)
		if err != nil {
			return nil, errors.Join(err, prom.Shutdown(ctx), o.close())
		}
		o.providers.Meter = prom.MeterProvider
		o.closers = append(o.closers, prom.Shutdown, srv.Shutdown)
	}
	return o, nil
}

// close flushes spans and stops the metrics server, in reverse order of
// set-up, within a few seconds.
func (o *observability) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for i := len(o.closers) - 1; i >= 0; i-- {
		errs = append(errs, o.closers[i](ctx))
	}
	return errors.Join(errs...)
}
