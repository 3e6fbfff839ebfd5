// Package app wires the product's parts from configuration that the mains
// read: sources, renderer, CRM and Platform clients, the Temporal client.
// It reads no environment itself.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	tlog "go.temporal.io/sdk/log"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/markdown"
)

// SourcesConfig configures every kind of source.
type SourcesConfig struct {
	// MarkdownBaseDir resolves relative Markdown paths (default: the
	// working directory).
	MarkdownBaseDir string
	HTTPClient      *http.Client
}

// Sources builds the registry of sources that cfg makes available.
func Sources(ctx context.Context, cfg SourcesConfig) (sources.Registry, error) {
	reg := sources.Registry{
		sources.KindMarkdown: markdown.New(markdown.Options{BaseDir: cfg.MarkdownBaseDir, HTTPClient: cfg.HTTPClient}),
	}
	return reg, nil
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
