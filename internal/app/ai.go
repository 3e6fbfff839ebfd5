package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/ai"
	"github.com/halcytone/contentgen/artifact/blobstore"
)

// AIConfig configures suggestions. AI is off unless Model is set: then no
// model client exists and no request leaves the machine.
type AIConfig struct {
	Model   string
	BaseURL string
	APIKey  string
	// Budget is the token budget of one edition (default ai.DefaultBudget).
	Budget int
	// CacheDir, when set, holds cached replies in a folder (AI_CACHE_DIR).
	// Unset, they are kept in Store, which every worker shares.
	CacheDir string
	// Store is the artifact store, whose "ai-replies" cache holds the
	// model's replies when CacheDir is unset.
	Store *blobstore.Store
	// TemplateDir overrides prompts from its ai/ subfolder.
	TemplateDir string
	HTTPClient  *http.Client
}

// Enabled reports whether a model is configured.
func (c AIConfig) Enabled() bool { return strings.TrimSpace(c.Model) != "" }

// AIFromEnv maps AI_MODEL, OPENAI_BASE_URL, OPENAI_API_KEY,
// AI_MAX_TOKENS_PER_EDITION and AI_CACHE_DIR onto AIConfig. lookup is
// os.Getenv in mains.
func AIFromEnv(lookup func(string) string) (AIConfig, error) {
	cfg := AIConfig{
		Model:    strings.TrimSpace(lookup("AI_MODEL")),
		BaseURL:  strings.TrimSpace(lookup("OPENAI_BASE_URL")),
		APIKey:   lookup("OPENAI_API_KEY"),
		Budget:   ai.DefaultBudget,
		CacheDir: lookup("AI_CACHE_DIR"),
	}
	if v := strings.TrimSpace(lookup("AI_MAX_TOKENS_PER_EDITION")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return AIConfig{}, fmt.Errorf("AI_MAX_TOKENS_PER_EDITION=%q: want a whole number of tokens, e.g. 20000", v)
		}
		cfg.Budget = n
	}
	return cfg, nil
}

// AICacheNamespace is the artifact store's cache of model replies.
const AICacheNamespace = "ai-replies"

var _ ai.Cache = (*blobstore.Cache)(nil)

// AI builds the suggestion runner and prompts, or nil, nil when AI is off.
func AI(cfg AIConfig, logger *slog.Logger) (*ai.Runner, *ai.Prompts, error) {
	if !cfg.Enabled() {
		return nil, nil, nil
	}
	m, err := ai.NewOpenAI(ai.Options{BaseURL: cfg.BaseURL, APIKey: cfg.APIKey, Model: cfg.Model, HTTPClient: cfg.HTTPClient})
	if err != nil {
		return nil, nil, err
	}
	prompts, err := ai.LoadPrompts(cfg.TemplateDir)
	if err != nil {
		return nil, nil, err
	}
	r := &ai.Runner{Model: m, Logger: logger, Temperature: 0.2}
	switch {
	case cfg.CacheDir != "":
		r.Cache = ai.DirCache{Dir: cfg.CacheDir}
	case cfg.Store != nil:
		c, err := cfg.Store.Cache(AICacheNamespace)
		if err != nil {
			return nil, nil, err
		}
		r.Cache = c
	}
	return r, prompts, nil
}
