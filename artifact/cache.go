package artifact

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/halcytone/contentgen/codec"
)

// cachePrefix holds keyed entries (see Cache), apart from the
// content-addressed artifacts.
const cachePrefix = "cache/"

// metaDigest keeps a cache entry's digest, checked on every read.
const metaDigest = "digest"

// DefaultCacheMaxAge is how long Prune keeps a cache entry.
const DefaultCacheMaxAge = 30 * 24 * time.Hour

var cacheName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,127}$`)

// Cache is a keyed namespace of the store: values found by a key the
// caller derives (the model's replies by the SHA-256 of their request),
// where artifacts are found by their own digest. Entries are encrypted
// like artifacts and checked against the digest they were written with;
// one that fails the check reads as absent. Workers sharing the store
// share its caches.
type Cache struct {
	s         *Store
	namespace string
}

// Cache returns the store's cache named namespace (lower-case letters,
// digits, '.', '_' and '-').
func (s *Store) Cache(namespace string) (*Cache, error) {
	if !cacheName.MatchString(namespace) {
		return nil, fmt.Errorf("cache namespace %q: use lower-case letters, digits, '.', '_' and '-'", namespace)
	}
	return &Cache{s: s, namespace: namespace}, nil
}

func (c *Cache) key(key string) (string, error) {
	if !cacheName.MatchString(key) {
		return "", fmt.Errorf("cache %s: bad key %q", c.namespace, key)
	}
	return cachePrefix + c.namespace + "/" + key, nil
}

// Get returns the value stored under key, or ok false when there is
// none, or it was altered or cannot be decrypted with the store's keys.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	k, err := c.key(key)
	if err != nil {
		return nil, false, err
	}
	attrs, err := c.s.bucket.Attributes(ctx, k)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache %s in store %s: %w", c.namespace, c.s.name, err)
	}
	body, err := c.s.bucket.ReadAll(ctx, k)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cache %s in store %s: %w", c.namespace, c.s.name, err)
	}
	if id := attrs.Metadata[metaKeyID]; id != "" {
		if c.s.keys == nil || attrs.Metadata[metaCipher] != codec.CipherAES256GCM {
			return nil, false, nil
		}
		if body, err = c.s.keys.Open(id, body); err != nil {
			return nil, false, nil
		}
	}
	if Digest(body) != attrs.Metadata[metaDigest] {
		return nil, false, nil
	}
	return body, true, nil
}

// Put stores value under key, replacing what was there.
func (c *Cache) Put(ctx context.Context, key string, value []byte) error {
	k, err := c.key(key)
	if err != nil {
		return err
	}
	body, meta := value, map[string]string{metaDigest: Digest(value)}
	if c.s.keys != nil {
		id, sealed, err := c.s.keys.Seal(value)
		if err != nil {
			return fmt.Errorf("encrypt cache entry: %w", err)
		}
		body, meta[metaKeyID], meta[metaCipher] = sealed, id, codec.CipherAES256GCM
	}
	opts := &blob.WriterOptions{ContentType: "application/octet-stream", Metadata: meta}
	if err := c.s.bucket.WriteAll(ctx, k, body, opts); err != nil {
		return fmt.Errorf("write cache %s entry to store %s: %w", c.namespace, c.s.name, err)
	}
	return nil
}

// pruneCache deletes cache entries written before cutoff.
func (s *Store) pruneCache(ctx context.Context, cutoff time.Time, dryRun bool, rep *PruneReport) error {
	err := s.each(ctx, cachePrefix, func(obj *blob.ListObject) error {
		if !obj.ModTime.Before(cutoff) {
			return nil
		}
		rep.DeletedCache++
		rep.DeletedBytes += obj.Size
		if dryRun {
			return nil
		}
		if err := s.bucket.Delete(ctx, obj.Key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("prune cache entries of store %s: %w", s.name, err)
	}
	return nil
}
