// Package service holds what the product's long-running commands share:
// reading their configuration with defaults, opening their database, and
// serving HTTP with traces and a graceful shutdown.
package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/internal/telemetry"
)

// Getenv reads configuration with defaults; mains pass os.Getenv, tests a
// map's lookup.
type Getenv func(string) string

// String returns the variable, or def when it is unset or empty.
func (g Getenv) String(key, def string) string { return cmp.Or(g(key), def) }

// Int returns the variable as an integer, or def.
func (g Getenv) Int(key string, def int) int {
	if n, err := strconv.Atoi(g(key)); err == nil {
		return n
	}
	return def
}

// Float returns the variable as a number, or def.
func (g Getenv) Float(key string, def float64) float64 {
	if f, err := strconv.ParseFloat(g(key), 64); err == nil {
		return f
	}
	return def
}

// OpenDB opens databaseURL (PostgreSQL) when set, else the SQLite file at
// path, creating its folder.
func OpenDB(ctx context.Context, databaseURL, path string) (*sqldb.DB, error) {
	if databaseURL != "" {
		return sqldb.Open(ctx, databaseURL)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	return sqldb.Open(ctx, path)
}

// Tracing exports spans over OTLP when the OTEL_* variables ask for it;
// the returned flush sends what is buffered and is safe to defer.
func Tracing(ctx context.Context, name string, env Getenv, log *slog.Logger) (flush func(), err error) {
	shutdown, err := telemetry.Setup(ctx, telemetry.Config{ServiceName: name, Enabled: telemetry.TracingFromEnv(env),
		Protocol: telemetry.ProtocolFromEnv(env)})
	if err != nil {
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdown(ctx); err != nil {
			log.Warn("flush traces", "err", err)
		}
	}, nil
}

// TraceFilter is a handler that leaves some requests untraced: Traced
// reports whether r gets a span and HTTP metrics.
type TraceFilter interface {
	http.Handler
	Traced(r *http.Request) bool
}

// Serve serves h on addr — each request a server span continuing the
// caller's trace, unless h is a TraceFilter that says otherwise — until
// ctx ends or background (when not nil) returns. Then requests in progress
// finish and background's context is cancelled and awaited, within 15 s.
func Serve(ctx context.Context, name, addr string, h http.Handler, log *slog.Logger, background func(context.Context) error) error {
	var opts []otelhttp.Option
	if f, ok := h.(TraceFilter); ok {
		opts = append(opts, otelhttp.WithFilter(f.Traced))
	}
	hs := httpapi.NewServer(addr, otelhttp.NewHandler(h, name, opts...), httpapi.DefaultTimeouts)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	bgDone := make(chan error, 1)
	if background != nil {
		go func() { bgDone <- background(runCtx) }()
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info(name+" listening", "addr", ln.Addr().String())

	var runErr error
	bgFinished := background == nil
	select {
	case err := <-served:
		runErr = fmt.Errorf("serve %s: %w", addr, err)
	case err := <-bgDone:
		bgFinished = true
		runErr = fmt.Errorf("%s stopped: %w", name, cmp.Or(err, errors.New("background work ended")))
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer done()
	if err := hs.Shutdown(shutCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("shut down http: %w", err))
	}
	cancel()
	if !bgFinished {
		select {
		case err := <-bgDone:
			runErr = errors.Join(runErr, err)
		case <-shutCtx.Done():
		}
	}
	return runErr
}
