// Package server is the reference Platform: it implements the contract in
// package platform (publish, list and read updates, usage figures) and
// serves the public pages /updates, /updates/{slug} and the RSS feed
// /updates/feed.xml, on SQLite or PostgreSQL.
//
// A published update never changes silently: publishing a slug again with
// the same content returns the existing update (200), with other content
// it is refused with 409 slug_conflict. A request repeated with the same
// Idempotency-Key and body gets the first reply again; the same key with
// another body gets 422.
package server

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

//go:embed templates/*.html
var templateFiles embed.FS

// DefaultMaxBodyBytes bounds a request body when Config.MaxBodyBytes is 0.
// A web update of a living document of several megabytes, with its
// Markdown and section texts, can reach tens of megabytes.
const DefaultMaxBodyBytes = 64 << 20

// Config configures a Server.
type Config struct {
	DB *sqldb.DB
	// Keys are the API keys accepted for publishing; nil accepts none.
	Keys *httpapi.Keys
	// PublicURL is where people reach the pages, e.g.
	// "https://halcytone.com"; update URLs and the feed are built on it.
	PublicURL string
	// SiteName titles the pages and the feed (default "Halcytone").
	SiteName string
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	Logger       *slog.Logger
	// TrustProxy takes the reader's address from X-Forwarded-For (set it
	// only behind a proxy that sets that header); the address is used for
	// the day's visitor hash and never stored.
	TrustProxy bool
	// Reports reads an edition's email figures for the report pages; nil
	// shows web views only.
	Reports ReportSource
	// ReportLinkSecrets verify signed report links; the first signs.
	// Empty: report pages open with the API key only.
	ReportLinkSecrets [][]byte
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the reference Platform.
type Server struct {
	cfg   Config
	db    *sqldb.DB
	log   *slog.Logger
	pages map[string]*template.Template
	// bodyPolicy sanitises body_html before it is stored; a Policy is
	// safe for concurrent use once built.
	bodyPolicy *bluemonday.Policy

	viewsMu   sync.Mutex
	prunedDay string // the day past visitors were last forgotten
}

// New checks cfg, applies the database migrations and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("platform server: Config.DB is required")
	}
	cfg = withDefaults(cfg)
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("platform server: %w", err)
	}
	schema, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("platform server: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cfg.DB.Migrate(ctx, "platform", schema); err != nil {
		return nil, fmt.Errorf("platform server: %w", err)
	}
	return &Server{cfg: cfg, db: cfg.DB, log: cfg.Logger, pages: pages, bodyPolicy: bodyPolicy()}, nil
}

func withDefaults(cfg Config) Config {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Keys == nil {
		cfg.Keys = httpapi.NewKeys()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "Halcytone"
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	return cfg
}

// updateURL is the public page of slug.
func (s *Server) updateURL(slug string) string {
	return s.cfg.PublicURL + "/updates/" + slug
}

func (s *Server) now() time.Time { return s.cfg.Now() }

func nowMillis() int64 { return time.Now().UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
