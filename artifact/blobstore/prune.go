package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gocloud.dev/blob"

	"github.com/halcytone/contentgen/artifact"
)

// PruneOptions say what a prune keeps.
type PruneOptions struct {
	// KeepEditions is how many of the most recent editions keep their
	// artifacts (at least 1).
	KeepEditions int
	// Protect lists editions whose artifacts are kept whatever their age:
	// runs still in progress.
	Protect []string
	// MinAge keeps every artifact written less than this long ago, so a
	// run that has written an artifact but not yet recorded it loses
	// nothing (default 24h).
	MinAge time.Duration
	// CacheMaxAge deletes cache entries (see Cache) last read or written
	// longer ago than this (default DefaultCacheMaxAge); a deleted entry costs one
	// model request when next needed.
	CacheMaxAge time.Duration
	// DryRun reports what would be deleted and deletes nothing.
	DryRun bool
	// Now is the time ages are measured from (default time.Now).
	Now time.Time
}

type editionIndex struct {
	name    string
	newest  time.Time
	digests []string
	markers []*blob.ListObject
}

// Prune deletes the artifacts that only editions older than the newest
// KeepEditions use, never those of a protected edition or younger than
// MinAge. Artifacts are shared between editions by digest, so one kept
// edition keeps an artifact alive whatever else used it.
func (s *Store) Prune(ctx context.Context, o PruneOptions) (artifact.PruneReport, error) {
	var rep artifact.PruneReport
	if o.KeepEditions < 1 {
		return rep, errors.New("prune: keep at least 1 edition (--keep-editions N)")
	}
	if o.MinAge <= 0 {
		o.MinAge = 24 * time.Hour
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.CacheMaxAge <= 0 {
		o.CacheMaxAge = DefaultCacheMaxAge
	}
	editions, err := s.editions(ctx)
	if err != nil {
		return rep, err
	}
	slices.SortFunc(editions, func(a, b *editionIndex) int {
		if c := b.newest.Compare(a.newest); c != 0 {
			return c
		}
		return strings.Compare(b.name, a.name)
	})
	keep := map[string]bool{}
	var drop []*editionIndex
	for i, e := range editions {
		if i < o.KeepEditions || slices.Contains(o.Protect, e.name) {
			rep.Kept = append(rep.Kept, e.name)
			for _, d := range e.digests {
				keep[d] = true
			}
			continue
		}
		rep.Dropped = append(rep.Dropped, e.name)
		drop = append(drop, e)
	}
	cutoff := o.Now.Add(-o.MinAge)
	err = s.each(ctx, blobPrefix, func(obj *blob.ListObject) error {
		digest := strings.TrimPrefix(obj.Key, blobPrefix)
		if keep[digest] || obj.ModTime.After(cutoff) {
			rep.Retained++
			return nil
		}
		rep.Deleted++
		rep.DeletedBytes += obj.Size
		if o.DryRun {
			return nil
		}
		return s.bucket.Delete(ctx, obj.Key)
	})
	if err != nil {
		return rep, fmt.Errorf("prune store %s: %w", s.name, err)
	}
	if err := s.pruneCache(ctx, o.Now.Add(-o.CacheMaxAge), o.DryRun, &rep); err != nil {
		return rep, err
	}
	if o.DryRun {
		return rep, nil
	}
	// An edition's record goes once it is older than MinAge: until then it
	// still marks what a recent run wrote.
	for _, e := range drop {
		for _, m := range e.markers {
			if m.ModTime.After(cutoff) {
				continue
			}
			if err := s.bucket.Delete(ctx, m.Key); err != nil {
				return rep, fmt.Errorf("prune store %s: forget edition %s: %w", s.name, e.name, err)
			}
		}
	}
	return rep, nil
}

// editions reads the index every Put with an edition writes.
func (s *Store) editions(ctx context.Context) ([]*editionIndex, error) {
	byName := map[string]*editionIndex{}
	var out []*editionIndex
	err := s.each(ctx, indexPrefix, func(obj *blob.ListObject) error {
		name, digest, ok := strings.Cut(strings.TrimPrefix(obj.Key, indexPrefix), "/")
		if !ok {
			return nil
		}
		e := byName[name]
		if e == nil {
			e = &editionIndex{name: name}
			byName[name] = e
			out = append(out, e)
		}
		e.digests = append(e.digests, digest)
		e.markers = append(e.markers, obj)
		if obj.ModTime.After(e.newest) {
			e.newest = obj.ModTime
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read edition index of store %s: %w", s.name, err)
	}
	return out, nil
}

func (s *Store) each(ctx context.Context, prefix string, fn func(*blob.ListObject) error) error {
	it := s.bucket.List(&blob.ListOptions{Prefix: prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if obj.IsDir {
			continue
		}
		if err := fn(obj); err != nil {
			return err
		}
	}
}
