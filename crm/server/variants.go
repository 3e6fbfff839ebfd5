package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/halcytone/contentgen/crm"
)

// cache keeps stored variants, or what was prepared from them, by key.
// Stored variants never change, so entries never go stale; the cache is
// emptied when full.
type cache[T any] struct {
	mu   sync.Mutex
	max  int
	byID map[string]T
}

func newCache[T any](max int) *cache[T] {
	return &cache[T]{max: max, byID: make(map[string]T)}
}

func (c *cache[T]) get(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.byID[key]
	return v, ok
}

func (c *cache[T]) put(key string, v T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byID) >= c.max {
		clear(c.byID)
	}
	c.byID[key] = v
}

func (s *Server) variant(ctx context.Context, key string) (*crm.Variant, error) {
	if v, ok := s.variants.get(key); ok {
		return v, nil
	}
	v := &crm.Variant{}
	var fallbacks string
	err := s.db.QueryRowContext(ctx, `SELECT variant_id, subject, preheader, html_body, text_body, fallbacks FROM variants WHERE key = $1`, key).
		Scan(&v.ID, &v.Subject, &v.Preheader, &v.HTML, &v.Text, &fallbacks)
	if err != nil {
		return nil, fmt.Errorf("load variant %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(fallbacks), &v.Fallbacks); err != nil {
		return nil, fmt.Errorf("variant %s fallbacks: %w", v.ID, err)
	}
	s.variants.put(key, v)
	return v, nil
}
