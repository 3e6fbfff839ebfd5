package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// MetricsPath is where the metrics server answers.
const MetricsPath = "/metrics"

// latencyBuckets are histogram bounds in seconds for requests and tasks.
// OpenTelemetry's defaults suit milliseconds; the SDK's timers are seconds.
func latencyBuckets() []float64 {
	return []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}
}

// approvalBuckets are histogram bounds in seconds for the approval wait:
// a minute to a week.
func approvalBuckets() []float64 {
	const hour = 3600
	return []float64{60, 300, 900, 1800, hour, 3 * hour, 6 * hour, 12 * hour, 24 * hour, 48 * hour, 72 * hour, 168 * hour}
}

// Prometheus is a meter provider whose instruments are read by a
// Prometheus scrape. Each value has its own registry, so several can live
// in one process (tests).
type Prometheus struct {
	MeterProvider *sdkmetric.MeterProvider
	registry      *prometheus.Registry
}

// NewPrometheus returns a meter provider exported in the Prometheus text
// format, with Go runtime and process metrics alongside.
func NewPrometheus() (*Prometheus, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("telemetry: register Go metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("telemetry: register process metrics: %w", err)
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp),
		sdkmetric.WithView(bucketsView(MetricApprovalWait, approvalBuckets())),
		sdkmetric.WithView(bucketsView("temporal_*", latencyBuckets())),
		sdkmetric.WithView(bucketsView("http.*.duration", latencyBuckets())))
	return &Prometheus{MeterProvider: mp, registry: reg}, nil
}

// bucketsView sets the bucket boundaries of histograms whose name matches
// pattern (a "*" wildcard is allowed).
func bucketsView(pattern string, bounds []float64) sdkmetric.View {
	return sdkmetric.NewView(sdkmetric.Instrument{Name: pattern, Kind: sdkmetric.InstrumentKindHistogram},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: bounds}})
}

// Handler serves the metrics in the Prometheus text format.
func (p *Prometheus) Handler() http.Handler {
	return promhttp.HandlerFor(p.registry, promhttp.HandlerOpts{})
}

// Shutdown stops the meter provider.
func (p *Prometheus) Shutdown(ctx context.Context) error {
	return p.MeterProvider.Shutdown(ctx)
}

// MetricsServer serves MetricsPath on its own listener, apart from any
// other port the process has.
type MetricsServer struct {
	srv  *http.Server
	addr net.Addr
	done chan error
}

// StartMetricsServer listens on addr (e.g. 127.0.0.1:9464; port 0 picks
// one) and serves h at MetricsPath until Shutdown.
func StartMetricsServer(addr string, h http.Handler, log *slog.Logger) (*MetricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w (set METRICS_ADDR to a free host:port)", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+MetricsPath, h)
	s := &MetricsServer{
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second},
		addr: ln.Addr(),
		done: make(chan error, 1),
	}
	go func() {
		err := s.srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) && log != nil {
			log.Error("metrics server stopped", "addr", s.addr.String(), "err", err)
		}
		s.done <- err
	}()
	if log != nil {
		log.Info("metrics listening", "url", s.URL())
	}
	return s, nil
}

// Addr is the host:port the server listens on.
func (s *MetricsServer) Addr() string { return s.addr.String() }

// URL is the address to scrape.
func (s *MetricsServer) URL() string { return "http://" + s.Addr() + MetricsPath }

// Shutdown stops the server, letting a scrape in progress finish.
func (s *MetricsServer) Shutdown(ctx context.Context) error {
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("metrics: shut down: %w", err)
	}
	<-s.done
	return nil
}
