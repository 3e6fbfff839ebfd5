// Package app wires the product's parts from configuration that the mains
// read: sources, renderer, CRM and Platform clients, the Temporal client.
// It reads no environment itself.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	tlog "go.temporal.io/sdk/log"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/gdocs"
	"github.com/halcytone/contentgen/sources/imagestore"
	"github.com/halcytone/contentgen/sources/markdown"
	"github.com/halcytone/contentgen/sources/notion"
)

// SourcesConfig configures every kind of source.
type SourcesConfig struct {
	// MarkdownBaseDir resolves relative Markdown paths (default: the
	// working directory).
	MarkdownBaseDir string
	// MarkdownHeader is sent with Markdown fetched over HTTP(S), e.g. an
	// internal CMS's Authorization header.
	MarkdownHeader http.Header
	// MarkdownHeaderHosts are the only hosts MarkdownHeader is sent to
	// (MARKDOWN_AUTHORIZATION_HOSTS).
	MarkdownHeaderHosts []string
	HTTPClient          *http.Client

	// GDocsCredentials is a service-account JSON file; empty uses
	// Application Default Credentials. GDocsEnabled turns the source on.
	GDocsEnabled     bool
	GDocsCredentials string
	GDocsEndpoint    string

	// NotionToken turns the Notion source on.
	NotionToken             string
	NotionBaseURL           string
	NotionRequestsPerSecond float64

	// ImageDir and ImageBaseURL, when set, copy images whose source URLs
	// expire (Docs contentUri, Notion file URLs) to a folder served at
	// ImageBaseURL.
	ImageDir     string
	ImageBaseURL string
}

// imageStore is where copied images go, nil when not configured. It keeps
// the store's own list of types: raster images only, never SVG, HTML or
// PDF, which can carry script.
func imageStore(cfg SourcesConfig) imagestore.Store {
	if cfg.ImageDir == "" || cfg.ImageBaseURL == "" {
		return nil
	}
	return imagestore.DirStore{Dir: cfg.ImageDir, BaseURL: cfg.ImageBaseURL}
}

// Sources builds the registry of sources that cfg makes available. A kind
// that is not configured is left out, and a run that names it fails with
// a message saying so.
func Sources(ctx context.Context, cfg SourcesConfig) (sources.Registry, error) {
	if len(cfg.MarkdownHeader) > 0 && len(cfg.MarkdownHeaderHosts) == 0 {
		return nil, errors.New("MARKDOWN_AUTHORIZATION is set but MARKDOWN_AUTHORIZATION_HOSTS names no host: list the CMS hosts it is for, e.g. MARKDOWN_AUTHORIZATION_HOSTS=cms.internal.example, so the credential goes to no other server")
	}
	reg := sources.Registry{
		sources.KindMarkdown: markdown.New(markdown.Options{
			BaseDir: cfg.MarkdownBaseDir, HTTPClient: cfg.HTTPClient,
			Header: cfg.MarkdownHeader, HeaderHosts: cfg.MarkdownHeaderHosts,
		}),
	}
	store := imageStore(cfg)
	if cfg.GDocsEnabled {
		g, err := gdocs.New(ctx, gdocs.Options{CredentialsFile: cfg.GDocsCredentials, Endpoint: cfg.GDocsEndpoint, ImageStore: store})
		if err != nil {
			return nil, fmt.Errorf("google docs source: %w", err)
		}
		reg[sources.KindGDocs] = g
	}
	if cfg.NotionToken != "" {
		n, err := notion.New(notion.Options{Token: cfg.NotionToken, BaseURL: cfg.NotionBaseURL, RequestsPerSecond: cfg.NotionRequestsPerSecond, ImageStore: store})
		if err != nil {
			return nil, fmt.Errorf("notion source: %w", err)
		}
		reg[sources.KindNotion] = n
	}
	return reg, nil
}

// SourcesFromEnv maps the environment variables every command reads for
// sources onto SourcesConfig. lookup is os.Getenv in mains.
func SourcesFromEnv(lookup func(string) string) SourcesConfig {
	cfg := SourcesConfig{
		GDocsCredentials: lookup("GOOGLE_APPLICATION_CREDENTIALS"),
		GDocsEndpoint:    lookup("GDOCS_ENDPOINT"),
		NotionToken:      lookup("NOTION_TOKEN"),
		NotionBaseURL:    lookup("NOTION_BASE_URL"),
		ImageDir:         lookup("IMAGE_STORE_DIR"),
		ImageBaseURL:     lookup("IMAGE_BASE_URL"),
	}
	cfg.GDocsEnabled = cfg.GDocsCredentials != "" || cfg.GDocsEndpoint != "" || lookup("GDOCS_ENABLED") == "true"
	if v, err := strconv.ParseFloat(lookup("NOTION_REQUESTS_PER_SECOND"), 64); err == nil {
		cfg.NotionRequestsPerSecond = v
	}
	if auth := lookup("MARKDOWN_AUTHORIZATION"); auth != "" {
		cfg.MarkdownHeader = http.Header{"Authorization": {auth}}
	}
	for _, h := range strings.Split(lookup("MARKDOWN_AUTHORIZATION_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			cfg.MarkdownHeaderHosts = append(cfg.MarkdownHeaderHosts, h)
		}
	}
	return cfg
}

// RenderConfig configures rendering.
type RenderConfig struct {
	TemplateDir  string
	TaxonomyFile string
}

// Renderer builds the renderer and the section taxonomy.
func Renderer(cfg RenderConfig) (*render.Renderer, content.Taxonomy, error) {
	r, err := render.New(render.Options{TemplateDir: cfg.TemplateDir})
	if err != nil {
		return nil, content.Taxonomy{}, err
	}
	tax := content.DefaultTaxonomy()
	if cfg.TaxonomyFile != "" {
		f, err := os.Open(cfg.TaxonomyFile)
		if err != nil {
			return nil, content.Taxonomy{}, fmt.Errorf("taxonomy: %w", err)
		}
		defer f.Close()
		if tax, err = content.ParseTaxonomy(f); err != nil {
			return nil, content.Taxonomy{}, fmt.Errorf("taxonomy %s: %w", cfg.TaxonomyFile, err)
		}
	}
	return r, tax, nil
}

// TemporalOptions loads client options the way every Temporal tool does:
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables and
// the TOML profile (envconfig), with slog as the SDK logger.
func TemporalOptions(logger *slog.Logger) (client.Options, error) {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return client.Options{}, fmt.Errorf("temporal client configuration: %w", err)
	}
	if logger != nil {
		opts.Logger = tlog.NewStructuredLogger(logger)
	}
	return opts, nil
}

// Dial connects to Temporal, waiting up to timeout for the server.
func Dial(ctx context.Context, opts client.Options, timeout time.Duration) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var lastErr error
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			addr := opts.HostPort
			if addr == "" {
				addr = client.DefaultHostPort
			}
			return nil, fmt.Errorf("connect to Temporal at %s: %w (is the server running? set TEMPORAL_ADDRESS)", addr, lastErr)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
