package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/service"
	"github.com/halcytone/contentgen/internal/telemetry"
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
  SMTP_HELO          name sent with EHLO (default localhost)
  CRM_DELIVERY_MODE  smtp (default) or log (build every message, send none)
  CRM_CONCURRENCY    messages sent at once (default 4); also the most a crash can send twice
  CRM_LEASE          how long a claimed delivery stays reserved, e.g. 30s (default); another
                     CRM sharing the PostgreSQL queue sends a crashed one's claims after it
  CRM_DKIM_DOMAIN, CRM_DKIM_SELECTOR, CRM_DKIM_KEY
                     DKIM signing: domain (default: the sender's), selector, and a PEM file
                     with an RSA-2048+ or Ed25519 private key; unset: messages go unsigned.
                     Comma-separated selectors and key files sign with each key, e.g. RSA
                     and Ed25519 side by side (Ed25519 alone costs a fortieth of RSA's CPU)
  CRM_LIST_ID        List-Id header value (default newsletter.<sender domain>)
  CRM_BOUNCE_DOMAIN  domain of the VERP return paths bounces+<token>@domain (default: the
                     sender's); its MX leads to CRM_BOUNCE_ADDR
  CRM_BOUNCE_ADDR    listen address of the inbound SMTP listener for bounces (DSN) and
                     feedback-loop reports (ARF), e.g. :25; unset: no listener
  CRM_SOFT_BOUNCE_LIMIT  soft bounces that suppress an address (default 3)
  CRM_SES_TOPIC_ARNS comma-separated SNS topic ARNs whose SES notifications /webhooks/ses accepts
  CRM_SENDGRID_WEBHOOK_KEY  SendGrid Signed Event Webhook verification key (/webhooks/sendgrid)
  CRM_POSTMARK_WEBHOOK_USER, CRM_POSTMARK_WEBHOOK_PASSWORD
                     basic auth of the Postmark bounce and spam webhooks (/webhooks/postmark)
  CRM_RATE           messages per second, 0 for no limit (default 0)
  CRM_REQUEST_RATE   newsletter requests per second before 429, 0 for no limit
  CRM_MAX_BATCHES    newsletter requests read and queued at once (default on PostgreSQL:
                     the number of CPUs, at least 2; on SQLite 8); more wait their turn
                     unread, so memory grows with this, not with the clients sending. On
                     PostgreSQL the pool holds this many connections plus 4
  CRM_IDEMPOTENCY_RETENTION  how long Idempotency-Keys and their replies are kept,
                     e.g. 7d (default) or 36h; older ones are deleted hourly
  TRACKING           on (default): links in sent emails go through CRM_PUBLIC_URL/r/<token>
                     and clicks are counted per link, section and day, with no recipient
                     next to a click; off: links are sent as they are and nothing is counted
  TRACKING_INDIVIDUAL  true: also record which recipient clicked or opened (default false)
  TRACKING_OPENS     true: add an open pixel to every HTML email (default false); opens are
                     estimates, machine opens (privacy proxies) counted apart
  TRACKING_SIGNING_KEYS  comma-separated secrets signing link tokens (the first signs, all are
                     accepted, for rotation); required unless TRACKING=off
  METRICS_ADDR       serve Prometheus metrics (clicks, opens, unsubscribes per newsletter) at
                     http://<addr>/metrics; unset: none
  CRM_LOG_FORMAT     text (default) or json;  CRM_LOG_LEVEL  info (default), debug, warn, error
  CRM_CPU_PROFILE    write a CPU profile of the whole run to this file (go tool pprof)
  CRM_MEM_PROFILE    write a heap profile to this file whenever the live heap reaches a new
                     high, so it shows what was held at the peak (go tool pprof)

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
	fs.StringVar(&c.addr, "addr", getenv.String("CRM_ADDR", "127.0.0.1:8081"), "listen address")
	fs.StringVar(&c.db, "db", getenv.String("CRM_DB", ".data/crm.db"), "SQLite file, used when DATABASE_URL is not set")
	fs.StringVar(&c.logFormat, "log-format", getenv.String("CRM_LOG_FORMAT", "text"), "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", getenv.String("CRM_LOG_LEVEL", "info"), "log level")
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
	stopProfiles, err := startProfiles(ctx, getenv.String("CRM_CPU_PROFILE", ""), getenv.String("CRM_MEM_PROFILE", ""))
	defer stopProfiles()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	flush, err := service.Tracing(ctx, "crm", getenv, log)
	if err != nil {
		return err
	}
	defer flush()
	if err := getenv.RefusePlaceholders("CRM_API_KEYS", "CRM_SIGNING_SECRETS", "TRACKING_SIGNING_KEYS", "DATABASE_URL", "SMTP_PASSWORD", "CRM_POSTMARK_WEBHOOK_PASSWORD"); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	keys := httpapi.ParseKeys(getenv.String("CRM_API_KEYS", ""))
	if keys.Len() == 0 {
		return errors.New("serve: CRM_API_KEYS is empty; set one or more comma-separated API keys")
	}
	db, err := service.OpenDB(ctx, getenv("DATABASE_URL"), c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	mode := getenv.String("CRM_DELIVERY_MODE", server.ModeSMTP)
	concurrency := getenv.Int("CRM_CONCURRENCY", 4)
	maxBatches := getenv.Int("CRM_MAX_BATCHES", server.DefaultMaxBatches(db.Dialect))
	if maxBatches <= 0 {
		return fmt.Errorf("serve: CRM_MAX_BATCHES=%q: want a positive number of newsletter requests handled at once, e.g. 2", getenv("CRM_MAX_BATCHES"))
	}
	// On PostgreSQL: a connection for each batch being queued, and a few
	// for the dispatcher's claims and commits and the other requests.
	db.SetConns(maxBatches + 4)
	var mailer *server.SMTPMailer
	if mode == server.ModeSMTP {
		mailer, err = server.NewSMTPMailer(server.SMTPConfig{
			Host: getenv.String("SMTP_HOST", "localhost"), Port: getenv.Int("SMTP_PORT", 1025), TLS: getenv.String("SMTP_TLS", "opportunistic"),
			Username: getenv.String("SMTP_USERNAME", ""), Password: getenv.String("SMTP_PASSWORD", ""), MaxIdle: concurrency,
			HelloName: getenv.String("SMTP_HELO", ""),
		})
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer mailer.Close()
	}
	retention, err := parseRetention(getenv("CRM_IDEMPOTENCY_RETENTION"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	lease, err := time.ParseDuration(getenv.String("CRM_LEASE", server.DefaultLease.String()))
	if err != nil || lease <= 0 {
		return fmt.Errorf("serve: CRM_LEASE=%q: want a positive duration such as 30s", getenv("CRM_LEASE"))
	}
	from := getenv.String("CRM_FROM", "Halcytone <newsletter@example.com>")
	dkim, err := dkimConfig(from)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tracking, err := trackingConfig()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	cfg := server.Config{
		DB: db, Keys: keys, Logger: log, IdempotencyRetention: retention,
		SigningSecrets: strings.Split(getenv.String("CRM_SIGNING_SECRETS", ""), ","),
		PublicURL:      getenv.String("CRM_PUBLIC_URL", "http://"+c.addr),
		From:           from, ListID: getenv.String("CRM_LIST_ID", ""), DKIM: dkim,
		BounceDomain:    getenv.String("CRM_BOUNCE_DOMAIN", ""),
		SoftBounceLimit: getenv.Int("CRM_SOFT_BOUNCE_LIMIT", server.DefaultSoftBounceLimit),
		Webhooks: server.WebhookConfig{
			SESTopicARNs:      strings.Split(getenv.String("CRM_SES_TOPIC_ARNS", ""), ","),
			SendGridPublicKey: getenv.String("CRM_SENDGRID_WEBHOOK_KEY", ""),
			PostmarkUser:      getenv.String("CRM_POSTMARK_WEBHOOK_USER", ""),
			PostmarkPassword:  getenv.String("CRM_POSTMARK_WEBHOOK_PASSWORD", ""),
		},
		Delivery: server.DeliveryConfig{Mode: mode, Concurrency: concurrency, Lease: lease,
			RatePerSecond: getenv.Float("CRM_RATE", 0)},
		RequestsPerSecond: getenv.Float("CRM_REQUEST_RATE", 0),
		MaxBatches:        maxBatches,
		Tracking:          tracking,
	}
	if addr := getenv("METRICS_ADDR"); addr != "" {
		prom, err := telemetry.NewPrometheus()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer func() { _ = prom.Shutdown(context.WithoutCancel(ctx)) }()
		if cfg.Metrics, err = telemetry.NewReaderMetrics(prom.MeterProvider); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		ms, err := telemetry.StartMetricsServer(addr, prom.Handler(), log)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer func() { _ = ms.Shutdown(context.WithoutCancel(ctx)) }()
	}
	if mailer != nil {
		cfg.Mailer = mailer
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Close(); err != nil {
			log.Warn("close crm server", "err", err)
		}
	}()
	run := srv.Run
	if addr := getenv.String("CRM_BOUNCE_ADDR", ""); addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("serve: CRM_BOUNCE_ADDR: %w", err)
		}
		run = func(ctx context.Context) error {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			bounces := make(chan error, 1)
			go func() {
				err := srv.ServeBounces(ctx, ln)
				if err != nil {
					cancel() // the dispatcher stops too, so the process ends
				}
				bounces <- err
			}()
			err := srv.Run(ctx)
			cancel()
			return errors.Join(err, <-bounces)
		}
	}
	// Deliveries the dispatcher claimed but did not send go back to the
	// queue when it stops.
	return service.Serve(ctx, "crm", c.addr, srv.Handler(), log, run)
}

// trackingConfig reads TRACKING, TRACKING_INDIVIDUAL, TRACKING_OPENS and
// TRACKING_SIGNING_KEYS.
func trackingConfig() (server.TrackingConfig, error) {
	var c server.TrackingConfig
	switch v := strings.ToLower(strings.TrimSpace(getenv("TRACKING"))); v {
	case "", "on", "true":
		c.Mode = server.TrackingAggregate
	case "off", "false":
		c.Mode = server.TrackingOff
	default:
		return c, fmt.Errorf("TRACKING=%q: want on or off", v)
	}
	individual, err := boolEnv("TRACKING_INDIVIDUAL")
	if err != nil {
		return c, err
	}
	if c.Opens, err = boolEnv("TRACKING_OPENS"); err != nil {
		return c, err
	}
	if individual && c.Mode != server.TrackingOff {
		c.Mode = server.TrackingIndividual
	}
	c.Keys = strings.Split(getenv("TRACKING_SIGNING_KEYS"), ",")
	return c, nil
}

func boolEnv(key string) (bool, error) {
	v := strings.TrimSpace(getenv(key))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", key, v)
	}
	return b, nil
}

// parseRetention reads a retention period: a Go duration ("36h") or whole
// days ("7d"); empty means the server's default.
func parseRetention(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("CRM_IDEMPOTENCY_RETENTION %q: want a positive period such as 7d or 36h", v)
}

// dkimConfig reads CRM_DKIM_*; no key file means no signing.
func dkimConfig(from string) (*server.DKIMConfig, error) {
	key := getenv.String("CRM_DKIM_KEY", "")
	if key == "" {
		return nil, nil
	}
	domain := getenv.String("CRM_DKIM_DOMAIN", "")
	if domain == "" {
		if a, err := mail.ParseAddress(from); err == nil {
			domain = a.Address[strings.LastIndexByte(a.Address, '@')+1:]
		}
	}
	keys := strings.Split(key, ",")
	selectors := strings.Split(getenv.String("CRM_DKIM_SELECTOR", ""), ",")
	if len(selectors) != len(keys) {
		return nil, fmt.Errorf("CRM_DKIM_KEY names %d key files but CRM_DKIM_SELECTOR %d selectors; give one selector per key, in the same order", len(keys), len(selectors))
	}
	c := &server.DKIMConfig{Domain: domain}
	for i := range keys {
		k := server.DKIMKey{Selector: strings.TrimSpace(selectors[i]), KeyFile: strings.TrimSpace(keys[i])}
		if k.Selector == "" || k.KeyFile == "" {
			return nil, errors.New("CRM_DKIM_KEY is set but CRM_DKIM_SELECTOR is empty; set the selector its DNS record is published under (one per key file)")
		}
		if i == 0 {
			c.Selector, c.KeyFile = k.Selector, k.KeyFile
		} else {
			c.More = append(c.More, k)
		}
	}
	return c, nil
}
