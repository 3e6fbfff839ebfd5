package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/platform/server"
)

const serveHelp = `Usage: platform serve [flags]

Environment (flags win where both exist):
  PLATFORM_API_KEYS    comma-separated API keys for publishing; required (several allow rotation)
  PLATFORM_ADDR        listen address (default 127.0.0.1:8082)
  DATABASE_URL         postgres://… URL; without it the SQLite file PLATFORM_DB is used
  PLATFORM_DB          SQLite file (default .data/platform.db)
  PLATFORM_PUBLIC_URL  public base URL of the pages, used in update links and the feed
                       (default http://PLATFORM_ADDR)
  PLATFORM_SITE_NAME   name shown on the pages and the feed (default Halcytone)
  PLATFORM_STATS_FILE  JSON file of usage figures that replace the stored ones at start:
                       [{"key":"active_breathers","label":"Active breathers","value":12480,"unit":"people"}]
  PLATFORM_LOG_FORMAT  text (default) or json;  PLATFORM_LOG_LEVEL  info (default), debug, warn, error
  OTEL_EXPORTER_OTLP_ENDPOINT  export a server span per request over OTLP (standard OTEL_* variables)

Examples:
  PLATFORM_API_KEYS=dev-key platform serve
  PLATFORM_API_KEYS=dev-key DATABASE_URL=postgres://platform@localhost/platform platform serve -addr :8082

Flags:
`

type serveConfig struct {
	addr, db, publicURL, siteName, statsFile, logFormat, logLevel string
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var c serveConfig
	fs := flag.NewFlagSet("platform serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveHelp); fs.PrintDefaults() }
	fs.StringVar(&c.addr, "addr", env("PLATFORM_ADDR", "127.0.0.1:8082"), "listen address")
	fs.StringVar(&c.db, "db", env("PLATFORM_DB", ".data/platform.db"), "SQLite file, used when DATABASE_URL is not set")
	fs.StringVar(&c.publicURL, "public-url", env("PLATFORM_PUBLIC_URL", ""), "public base URL of the pages (default http://<addr>)")
	fs.StringVar(&c.siteName, "site-name", env("PLATFORM_SITE_NAME", "Halcytone"), "name shown on the pages and the feed")
	fs.StringVar(&c.statsFile, "stats", env("PLATFORM_STATS_FILE", ""), "JSON file of usage figures to set at start")
	fs.StringVar(&c.logFormat, "log-format", env("PLATFORM_LOG_FORMAT", "text"), "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", env("PLATFORM_LOG_LEVEL", "info"), "log level")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log, err := newLogger(stderr, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	shutdown, err := telemetry.Setup(ctx, telemetry.Config{ServiceName: "platform", Enabled: telemetry.TracingFromEnv(os.Getenv),
		Protocol: telemetry.ProtocolFromEnv(os.Getenv)})
	if err != nil {
		return err
	}
	defer flushTraces(ctx, shutdown, log)
	keys := httpapi.ParseKeys(env("PLATFORM_API_KEYS", ""))
	if keys.Len() == 0 {
		return errors.New("serve: PLATFORM_API_KEYS is empty; set one or more comma-separated API keys")
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.addr
	}
	db, err := openDB(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := server.New(server.Config{DB: db, Keys: keys, PublicURL: c.publicURL, SiteName: c.siteName, Logger: log})
	if err != nil {
		return err
	}
	if c.statsFile != "" {
		if err := setStats(ctx, srv, c.statsFile); err != nil {
			return err
		}
	}
	return listen(ctx, c.addr, srv, log)
}

// openDB opens DATABASE_URL when set, else the SQLite file path.
func openDB(ctx context.Context, path string) (*sqldb.DB, error) {
	if url := env("DATABASE_URL", ""); url != "" {
		return sqldb.Open(ctx, url)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	return sqldb.Open(ctx, path)
}

func setStats(ctx context.Context, srv *server.Server, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read stats file: %w", err)
	}
	var stats []platform.Stat
	if err := json.Unmarshal(b, &stats); err != nil {
		return fmt.Errorf("stats file %s: %w (want a JSON array of {key, label, value, unit})", path, err)
	}
	return srv.SetStats(ctx, stats)
}

// flushTraces exports the spans still buffered when the server stops.
func flushTraces(ctx context.Context, shutdown func(context.Context) error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := shutdown(ctx); err != nil {
		log.Warn("flush traces", "error", err)
	}
}

// listen serves HTTP until ctx ends, then lets requests in progress finish.
// Each request is a server span continuing the caller's trace (the
// propagator and provider are the ones telemetry.Setup installed).
func listen(ctx context.Context, addr string, srv *server.Server, log *slog.Logger) error {
	hs := httpapi.NewServer(addr, otelhttp.NewHandler(srv.Handler(), "platform"), httpapi.DefaultTimeouts)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("platform listening", "addr", ln.Addr().String())
	select {
	case err := <-served:
		return fmt.Errorf("serve %s: %w", addr, err)
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	return nil
}
