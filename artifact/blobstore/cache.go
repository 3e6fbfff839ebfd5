package blobstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/codec"
)

// cachePrefix holds keyed entries (see Cache), apart from the
// content-addressed artifacts.
const cachePrefix = "cache/"

// accessPrefix holds one empty object per cache entry, rewritten each time
// the entry is read: its write time is the entry's last use, which blob
// stores cannot otherwise record.
const accessPrefix = "cache-access/"

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
	if artifact.Digest(body) != attrs.Metadata[metaDigest] {
		return nil, false, nil
	}
	// A use that is not recorded only makes a prune measure the entry's
	// age from its write, as it would without the record: the value is
	// good either way.
	_ = c.s.bucket.WriteAll(ctx, accessPrefix+strings.TrimPrefix(k, cachePrefix), nil, &blob.WriterOptions{ContentType: "application/octet-stream"})
	return body, true, nil
}

// Put stores value under key, replacing what was there.
func (c *Cache) Put(ctx context.Context, key string, value []byte) error {
	k, err := c.key(key)
	if err != nil {
		return err
	}
	body, meta := value, map[string]string{metaDigest: artifact.Digest(value)}
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

// pruneCache deletes cache entries last used (read or written) before
// cutoff, with their records of use, and records whose entry is gone.
func (s *Store) pruneCache(ctx context.Context, cutoff time.Time, dryRun bool, rep *artifact.PruneReport) error {
	used := map[string]time.Time{} // entry key under cachePrefix → last read
	err := s.each(ctx, accessPrefix, func(obj *blob.ListObject) error {
		used[strings.TrimPrefix(obj.Key, accessPrefix)] = obj.ModTime
		return nil
	})
	if err != nil {
		return fmt.Errorf("prune cache entries of store %s: read their last use: %w", s.name, err)
	}
	del := func(key string) error {
		if err := s.bucket.Delete(ctx, key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			return err
		}
		return nil
	}
	err = s.each(ctx, cachePrefix, func(obj *blob.ListObject) error {
		name := strings.TrimPrefix(obj.Key, cachePrefix)
		last, read := used[name]
		delete(used, name)
		if obj.ModTime.After(last) {
			last = obj.ModTime
		}
		if !last.Before(cutoff) {
			return nil
		}
		rep.DeletedCache++
		rep.DeletedBytes += obj.Size
		if dryRun {
			return nil
		}
		if err := del(obj.Key); err != nil {
			return err
		}
		if read {
			return del(accessPrefix + name)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("prune cache entries of store %s: %w", s.name, err)
	}
	// Records left are of entries gone; one just written may belong to an
	// entry written since the listing, so only old ones go.
	for name, at := range used {
		if at.Before(cutoff) && !dryRun {
			if err := del(accessPrefix + name); err != nil {
				return fmt.Errorf("prune cache entries of store %s: %w", s.name, err)
			}
		}
	}
	return nil
}
