package ai

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/halcytone/contentgen/ai/suggest"
)

// Cache keeps validated replies by key. It must be shared by every worker
// that may run a request, so a refresh of an unchanged section costs
// nothing wherever it runs.
type Cache interface {
	// Get returns the value stored under key, or ok false.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	Put(ctx context.Context, key string, value []byte) error
}

// DirCache is a Cache in a folder, one file per key, written atomically;
// a folder on a shared volume serves every worker.
type DirCache struct {
	Dir string
}

var _ Cache = DirCache{}

func (c DirCache) path(key string) string {
	return filepath.Join(c.Dir, key[:2], key+".json")
}

// Get reads the file for key.
func (c DirCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	if len(key) < 3 {
		return nil, false, fmt.Errorf("ai cache: bad key %q", key)
	}
	b, err := os.ReadFile(c.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("ai cache: %w", err)
	}
	return b, true, nil
}

// Put writes the file for key through a temporary file and a rename, so
// a reader never sees half a value.
func (c DirCache) Put(_ context.Context, key string, value []byte) error {
	if len(key) < 3 {
		return fmt.Errorf("ai cache: bad key %q", key)
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("ai cache: %w (set AI_CACHE_DIR to a writable folder)", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("ai cache: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(value); err != nil {
		f.Close()
		return fmt.Errorf("ai cache: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("ai cache: %w", err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("ai cache: %w", err)
	}
	return nil
}

// cacheKey is the SHA-256 of the model, the request's parameters and its
// prompt.
func cacheKey(model string, req Request) string {
	b, _ := json.Marshal(struct {
		Model       string  `json:"model"`
		Schema      string  `json:"schema"`
		Wire        Schema  `json:"wire"`
		MaxTokens   int     `json:"max_tokens"`
		Temperature float64 `json:"temperature"`
		System      string  `json:"system"`
		User        string  `json:"user"`
	}{model, req.SchemaName, req.Schema, req.MaxTokens, req.Temperature, req.System, req.User})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// cached is what the cache stores: the reply that passed the schema.
type cached struct {
	Model   string        `json:"model"`
	Content string        `json:"content"`
	Usage   suggest.Usage `json:"usage"`
}
