package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/service"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/platform/reportlink"
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
  PLATFORM_CRM_URL     CRM base URL the report pages read email figures from; without it they
                       show web views only
  PLATFORM_CRM_API_KEY CRM API key;  PLATFORM_CRM_SIGNING_SECRET  signs CRM requests when the CRM asks
  REPORT_LINK_SECRET   comma-separated secrets (32+ characters) checking the signed report links
                       of proof emails; the worker signs with the first. Without it reports
                       open with an API key only
  PLATFORM_TRUST_PROXY true: take the reader's address from X-Forwarded-For (behind a proxy);
                       addresses only enter the day's visitor hash and are never stored
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
	fs.StringVar(&c.addr, "addr", getenv.String("PLATFORM_ADDR", "127.0.0.1:8082"), "listen address")
	fs.StringVar(&c.db, "db", getenv.String("PLATFORM_DB", ".data/platform.db"), "SQLite file, used when DATABASE_URL is not set")
	fs.StringVar(&c.publicURL, "public-url", getenv.String("PLATFORM_PUBLIC_URL", ""), "public base URL of the pages (default http://<addr>)")
	fs.StringVar(&c.siteName, "site-name", getenv.String("PLATFORM_SITE_NAME", "Halcytone"), "name shown on the pages and the feed")
	fs.StringVar(&c.statsFile, "stats", getenv.String("PLATFORM_STATS_FILE", ""), "JSON file of usage figures to set at start")
	fs.StringVar(&c.logFormat, "log-format", getenv.String("PLATFORM_LOG_FORMAT", "text"), "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", getenv.String("PLATFORM_LOG_LEVEL", "info"), "log level")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log, err := telemetry.NewLogger(stderr, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	flush, err := service.Tracing(ctx, "platform", getenv, log)
	if err != nil {
		return err
	}
	defer flush()
	if err := getenv.RefusePlaceholders("PLATFORM_API_KEYS", "DATABASE_URL", "REPORT_LINK_SECRET", "PLATFORM_CRM_API_KEY"); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	keys := httpapi.ParseKeys(getenv.String("PLATFORM_API_KEYS", ""))
	if keys.Len() == 0 {
		return errors.New("serve: PLATFORM_API_KEYS is empty; set one or more comma-separated API keys")
	}
	if c.publicURL == "" {
		c.publicURL = "http://" + c.addr
	}
	db, err := service.OpenDB(ctx, getenv("DATABASE_URL"), c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg := server.Config{DB: db, Keys: keys, PublicURL: c.publicURL, SiteName: c.siteName, Logger: log,
		TrustProxy: getenv("PLATFORM_TRUST_PROXY") == "true"}
	if cfg.ReportLinkSecrets, err = reportlink.ParseSecrets(getenv("REPORT_LINK_SECRET")); err != nil {
		return fmt.Errorf("serve: REPORT_LINK_SECRET: %w", err)
	}
	if u := getenv("PLATFORM_CRM_URL"); u != "" {
		cfg.Reports = crmclient.New(crmclient.Options{BaseURL: u, APIKey: getenv("PLATFORM_CRM_API_KEY"),
			SigningSecret: getenv("PLATFORM_CRM_SIGNING_SECRET"), Timeout: 5 * time.Second})
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if c.statsFile != "" {
		if err := setStats(ctx, srv, c.statsFile); err != nil {
			return err
		}
	}
	return service.Serve(ctx, "platform", c.addr, srv.Handler(), log, nil)
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
