package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

const serveHelp = `Usage: crm serve [flags]

Environment (flags win where both exist):
  CRM_API_KEYS       comma-separated API keys; required (several allow rotation)
  CRM_SIGNING_SECRETS  comma-separated HMAC secrets; when set, every /api/ request must
                     carry X-Signature and X-Signature-Timestamp (docs/crm-contract.md)
  CRM_ADDR           listen address (default 127.0.0.1:8081)
  DATABASE_URL       postgres://… URL; without it the SQLite file CRM_DB is used
  CRM_DB             SQLite file (default .data/crm.db)
  CRM_PUBLIC_URL     public base URL for unsubscribe links (default http://CRM_ADDR)
  CRM_FROM           sender, e.g. "Halcytone <news@example.com>"
  SMTP_HOST, SMTP_PORT           mail server (default localhost:1025, e.g. Mailpit)
  SMTP_USERNAME, SMTP_PASSWORD   optional SMTP authentication
  SMTP_TLS           none, opportunistic (default) or mandatory
  CRM_DELIVERY_MODE  smtp (default) or log (build every message, send none)
  CRM_CONCURRENCY    messages sent at once (default 4)
  CRM_RATE           messages per second, 0 for no limit (default 0)
  CRM_REQUEST_RATE   newsletter requests per second before 429, 0 for no limit
  CRM_LOG_FORMAT     text (default) or json;  CRM_LOG_LEVEL  info (default), debug, warn, error

Flags:
`

type serveConfig struct {
	addr, db, logFormat, logLevel string
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var c serveConfig
	fs := flag.NewFlagSet("crm serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, serveHelp); fs.PrintDefaults() }
	fs.StringVar(&c.addr, "addr", env("CRM_ADDR", "127.0.0.1:8081"), "listen address")
	fs.StringVar(&c.db, "db", env("CRM_DB", ".data/crm.db"), "SQLite file, used when DATABASE_URL is not set")
	fs.StringVar(&c.logFormat, "log-format", env("CRM_LOG_FORMAT", "text"), "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", env("CRM_LOG_LEVEL", "info"), "log level")
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
	keys := httpapi.ParseKeys(env("CRM_API_KEYS", ""))
	if keys.Len() == 0 {
		return errors.New("serve: CRM_API_KEYS is empty; set one or more comma-separated API keys")
	}
	db, err := openDB(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	mode := env("CRM_DELIVERY_MODE", server.ModeSMTP)
	concurrency := envInt("CRM_CONCURRENCY", 4)
	var mailer *server.SMTPMailer
	if mode == server.ModeSMTP {
		mailer, err = server.NewSMTPMailer(server.SMTPConfig{
			Host: env("SMTP_HOST", "localhost"), Port: envInt("SMTP_PORT", 1025), TLS: env("SMTP_TLS", "opportunistic"),
			Username: env("SMTP_USERNAME", ""), Password: env("SMTP_PASSWORD", ""), MaxIdle: concurrency,
		})
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer mailer.Close()
	}
	cfg := server.Config{
		DB: db, Keys: keys, Logger: log,
		SigningSecrets: strings.Split(env("CRM_SIGNING_SECRETS", ""), ","),
		PublicURL:      env("CRM_PUBLIC_URL", "http://"+c.addr),
		From:           env("CRM_FROM", "Halcytone <newsletter@example.com>"),
		Delivery: server.DeliveryConfig{Mode: mode, Concurrency: concurrency,
			RatePerSecond: envFloat("CRM_RATE", 0)},
		RequestsPerSecond: envFloat("CRM_REQUEST_RATE", 0),
	}
	if mailer != nil {
		cfg.Mailer = mailer
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
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

// listen serves HTTP and runs the dispatcher until ctx ends, then shuts
// both down gracefully: requests in progress finish, and deliveries the
// dispatcher claimed but did not send go back to the queue.
func listen(ctx context.Context, addr string, srv *server.Server, log *slog.Logger) error {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	hs := httpapi.NewServer(addr, otelhttp.NewHandler(srv.Handler(), "crm"), httpapi.DefaultTimeouts)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	dispatched := make(chan error, 1)
	go func() { dispatched <- srv.Run(runCtx) }()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("crm listening", "addr", ln.Addr().String())

	var runErr error
	dispatcherDone := false
	select {
	case err := <-served:
		runErr = fmt.Errorf("serve %s: %w", addr, err)
	case err := <-dispatched:
		dispatcherDone = true
		runErr = fmt.Errorf("dispatcher: %w", cmp.Or(err, errors.New("stopped")))
	case <-ctx.Done():
		log.Info("shutting down")
	}
	shutCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer done()
	if err := hs.Shutdown(shutCtx); err != nil {
		runErr = errors.Join(runErr, fmt.Errorf("shut down http: %w", err))
	}
	cancel()
	if !dispatcherDone {
		select {
		case err := <-dispatched:
			runErr = errors.Join(runErr, err)
		case <-shutCtx.Done():
		}
	}
	return runErr
}
