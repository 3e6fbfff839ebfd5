package server

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/mail"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Delivery modes.
const (
	// ModeSMTP hands every message to the Mailer.
	ModeSMTP = "smtp"
	// ModeLog builds every message in full and records it in the delivery
	// log as "logged" without handing it to any SMTP server (benchmarks).
	ModeLog = "log"
)

// DefaultMaxBatches is how many newsletter requests the CRM reads and
// queues at once unless configured. On PostgreSQL their transactions run
// side by side, each holding its rows: one for each CPU, at least two,
// since decoding and checking a batch is CPU work. On SQLite one
// transaction runs at a time and the others wait holding only their
// decoded messages: eight, a worker's default SEND_WINDOW, keep decoding
// going while one is written.
func DefaultMaxBatches(dialect string) int {
	if dialect == sqldb.Postgres {
		return max(2, runtime.GOMAXPROCS(0))
	}
	return 8
}

// LogBatchSize is DeliveryConfig.BatchSize's default in the log mode:
// as many deliveries as one newsletter request queues. Nothing waits on a
// mail server there, so once no request is being queued a claim and a
// commit may each do as much as a request's transaction: fewer statements
// and commits per delivery (see claimLoop).
const LogBatchSize = crm.MaxMessagesPerRequest

// DefaultMaxBodyBytes bounds a request body when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 32 << 20

// Mailer hands one built message (CRLF line ends, no line starting with
// a dot) to a mail server for the envelope sender from and recipient to.
type Mailer interface {
	Send(ctx context.Context, from, to string, msg []byte) error
}

// DeliveryConfig tunes the dispatcher.
type DeliveryConfig struct {
	// Mode is ModeSMTP (default) or ModeLog.
	Mode string
	// Concurrency is how many messages are sent at once (default 4).
	Concurrency int
	// RatePerSecond caps messages sent per second (0: no cap).
	RatePerSecond float64
	// MaxAttempts is how often a temporary SMTP failure is retried before
	// the delivery is marked failed (default 5).
	MaxAttempts int
	// RetryBackoff is the wait before the first retry, doubled on each
	// further one (default 30 s).
	RetryBackoff time.Duration
	// BatchSize is how many deliveries may be claimed and not yet
	// recorded at once (default 100, LogBatchSize in the log mode; at
	// least 4 × Concurrency; at most 100 while newsletter requests are
	// being queued); the dispatcher claims again when half of them are
	// done.
	BatchSize int
	// Lease is how long a claim lasts (default DefaultLease). A crashed
	// dispatcher's claims are sent by another once their lease expires; a
	// delivery whose lease is half gone before it is sent is given back.
	Lease time.Duration
	// PollInterval is how often an idle dispatcher looks for due retries
	// (default 1 s); new requests wake it at once.
	PollInterval time.Duration
}

// Config configures a Server.
type Config struct {
	DB *sqldb.DB
	// Keys are the accepted API keys; nil accepts none.
	Keys *httpapi.Keys
	// SigningSecrets, when not empty, make every /api/ request carry an
	// HMAC signature made with one of them (several allow rotation); see
	// httpapi.Signatures.
	SigningSecrets []string
	// PublicURL is where people reach this server (unsubscribe links),
	// e.g. "https://crm.example.com".
	PublicURL string
	// From is the sender, e.g. "Halcytone <news@example.com>".
	From string
	// ListID identifies the list in the List-Id header (default
	// "newsletter.<sender domain>").
	ListID string
	// DKIM, when set, signs every message.
	DKIM *DKIMConfig
	// BounceDomain is the domain of the return paths
	// (bounces+<token>@domain), whose MX leads to the inbound listener
	// (ServeBounces); default the sender's domain.
	BounceDomain string
	// SoftBounceLimit is how many soft bounces suppress an address
	// (default DefaultSoftBounceLimit).
	SoftBounceLimit int
	// Webhooks configures the provider feedback endpoints; each is off
	// until configured.
	Webhooks WebhookConfig
	Mailer   Mailer
	Delivery DeliveryConfig
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// IdempotencyRetention is how long a stored Idempotency-Key and its
	// reply are kept (default DefaultIdempotencyRetention); the dispatcher
	// deletes older ones.
	IdempotencyRetention time.Duration
	// MaxContentBytes bounds a content upload (default DefaultMaxContentBytes).
	MaxContentBytes int64
	// MaxBatches is how many newsletter requests are read and queued at
	// once (default DefaultMaxBatches()); more wait their turn with their
	// bodies unread. Each one in hand holds its body, the decoded
	// messages and its transaction's rows in memory.
	MaxBatches int
	// RequestsPerSecond caps newsletter requests; over it they get 429
	// with Retry-After (0: no cap).
	RequestsPerSecond float64
	// Tracking sets how clicks and opens are counted (default: not at all).
	Tracking TrackingConfig
	// Metrics, when set, counts clicks, opens and unsubscribes per
	// newsletter as they happen.
	Metrics Metrics
	Logger  *slog.Logger
}

// Server is the reference CRM.
type Server struct {
	cfg       Config
	db        *sqldb.DB
	stmts     *statements
	log       *slog.Logger
	from      *mail.Address
	msgDomain string
	// bounceDomain is the domain of every return path.
	bounceDomain string
	reqLimit     *rate.Limiter
	batches      chan struct{} // a place for each newsletter request in hand
	lastQueued   atomic.Int64  // when a newsletter request last left its place, in Unix nanoseconds
	sendLimit    *rate.Limiter
	wake         chan struct{}
	variants     *cache[*crm.Variant]
	templates    *cache[*prepared]
	// fromHeader and listHeaders are the same on every message.
	fromHeader  string
	listHeaders []byte
	dkim        *dkimSigner
	hooks       *webhooks
	sender      crm.Sender
	// verpKey signs return-path tokens (crm_secrets "verp").
	verpKey []byte
	// signer signs link tokens; nil when no tracking key is configured.
	signer  *signer
	links   *linkCache
	tally   *tally
	metrics Metrics
}

// New checks cfg, applies the database migrations and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("crm server: Config.DB is required")
	}
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("crm server: sender address %q: %w (set it like \"News <news@example.com>\")", cfg.From, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	schema, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("crm server: %w", err)
	}
	if err := cfg.DB.Migrate(ctx, "crm", schema); err != nil {
		return nil, fmt.Errorf("crm server: %w", err)
	}
	s := &Server{
		cfg: cfg, db: cfg.DB, log: cfg.Logger, from: from,
		msgDomain: from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		reqLimit:  limiter(cfg.RequestsPerSecond, max(1, int(cfg.RequestsPerSecond))),
		sendLimit: limiter(cfg.Delivery.RatePerSecond, 1),
		wake:      make(chan struct{}, 1),
		batches:   make(chan struct{}, cfg.MaxBatches),
		variants:  newCache[*crm.Variant](1024),
		templates: newCache[*prepared](1024),
		links:     newLinkCache(100000),
		metrics:   cfg.Metrics,
	}
	s.bounceDomain = cfg.BounceDomain
	if s.bounceDomain == "" {
		s.bounceDomain = s.msgDomain
	}
	if len(cfg.Tracking.Keys) > 0 {
		s.signer = newSigner(cfg.Tracking.Keys)
	}
	s.tally = newTally(s)
	s.fromHeader = string(appendAddress(nil, from.Name, from.Address))
	listID := cfg.ListID
	if listID == "" {
		listID = "newsletter." + s.msgDomain
	}
	listID = "<" + listID + ">"
	if from.Name != "" {
		listID = string(appendText(nil, from.Name)) + " " + listID
	}
	s.sender = crm.Sender{From: from.Address, ReturnPathDomain: s.bounceDomain, ListID: listID}
	if cfg.DKIM != nil {
		s.sender.DKIM, s.sender.DKIMDomain, s.sender.DKIMSelector = true, cfg.DKIM.Domain, cfg.DKIM.Selector
	}
	s.listHeaders = appendHeader(nil, "List-Id", listID)
	s.listHeaders = appendHeader(s.listHeaders, "Precedence", "bulk")
	if s.verpKey, err = loadSecret(ctx, cfg.DB, "verp"); err != nil {
		return nil, fmt.Errorf("crm server: %w", err)
	}
	if s.hooks, err = newWebhooks(cfg.Webhooks); err != nil {
		return nil, fmt.Errorf("crm server: %w", err)
	}
	if cfg.DKIM != nil {
		if s.dkim, err = newDKIMSigner(*cfg.DKIM); err != nil {
			return nil, fmt.Errorf("crm server: %w", err)
		}
	} else {
		s.log.Warn("no DKIM key configured; mailbox providers may reject or junk unsigned bulk mail", "domain", s.msgDomain)
	}
	if !strings.HasPrefix(cfg.PublicURL, "https://") {
		s.log.Warn("public URL is not https; mailbox providers honour one-click unsubscribe only over https", "publicURL", cfg.PublicURL)
	}
	if s.stmts, err = prepareStatements(ctx, cfg.DB); err != nil {
		return nil, fmt.Errorf("crm server: %w", err)
	}
	return s, nil
}

func withDefaults(cfg Config) (Config, error) {
	d := &cfg.Delivery
	switch d.Mode {
	case "":
		d.Mode = ModeSMTP
	case ModeSMTP, ModeLog:
	default:
		return cfg, fmt.Errorf("crm server: delivery mode %q: want %q or %q", d.Mode, ModeSMTP, ModeLog)
	}
	if d.Concurrency <= 0 {
		d.Concurrency = 4
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 5
	}
	if d.RetryBackoff <= 0 {
		d.RetryBackoff = 30 * time.Second
	}
	if d.BatchSize <= 0 {
		d.BatchSize = 100
		if d.Mode == ModeLog {
			d.BatchSize = LogBatchSize
		}
	}
	if d.Lease <= 0 {
		d.Lease = DefaultLease
	}
	if d.PollInterval <= 0 {
		d.PollInterval = time.Second
	}
	if cfg.SoftBounceLimit <= 0 {
		cfg.SoftBounceLimit = DefaultSoftBounceLimit
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBatches <= 0 {
		cfg.MaxBatches = DefaultMaxBatches(cfg.DB.Dialect)
	}
	if cfg.IdempotencyRetention <= 0 {
		cfg.IdempotencyRetention = DefaultIdempotencyRetention
	}
	if cfg.MaxContentBytes <= 0 {
		cfg.MaxContentBytes = DefaultMaxContentBytes
	}
	if cfg.Keys == nil {
		cfg.Keys = httpapi.NewKeys()
	}
	var err error
	if cfg.Tracking, err = cfg.Tracking.check(); err != nil {
		return cfg, fmt.Errorf("crm server: %w", err)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.From == "" {
		cfg.From = "Newsletter <newsletter@localhost>"
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return cfg, nil
}

// limiter returns a token bucket for perSecond, or nil for no limit.
func limiter(perSecond float64, burst int) *rate.Limiter {
	if perSecond <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), burst)
}

// notify wakes the dispatcher after new deliveries were queued.
func (s *Server) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func nowMillis() int64 { return time.Now().UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
