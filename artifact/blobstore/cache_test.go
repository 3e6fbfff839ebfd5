package blobstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/halcytone/contentgen/artifact/blobstore"
)

func TestCacheSharedThroughTheStore(t *testing.T) {
	ctx := context.Background()
	keys := keyring(t, "k1")
	s3, _, raw := s3Store(t, keys)
	file, dir := fileStore(t, nil)
	for name, s := range map[string]*blobstore.Store{"s3 encrypted": s3, "file": file} {
		c, err := s.Cache("ai")
		if err != nil {
			t.Fatal(err)
		}
		key := "3f1c0a9b2e7d4c5a8b6f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3"
		if _, ok, err := c.Get(ctx, key); ok || err != nil {
			t.Fatalf("%s: empty cache answers ok=%v err=%v", name, ok, err)
		}
		if err := c.Put(ctx, key, []byte(`{"content":"reply"}`)); err != nil {
			t.Fatal(err)
		}
		got, ok, err := c.Get(ctx, key)
		if !ok || err != nil || string(got) != `{"content":"reply"}` {
			t.Errorf("%s: got %q ok=%v err=%v", name, got, ok, err)
		}
		if _, _, err := c.Get(ctx, "../escape"); err == nil {
			t.Errorf("%s: a key with a path in it was taken", name)
		}
	}
	if _, err := file.Cache("AI/x"); err == nil {
		t.Error("a namespace with a path in it was taken")
	}

	// A second worker on the same bucket reads what the first wrote; one
	// without the key reads nothing.
	c2, _ := open(t, raw, keys).Cache("ai")
	if _, ok, _ := c2.Get(ctx, "3f1c0a9b2e7d4c5a8b6f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3"); !ok {
		t.Error("a second store on the same bucket does not see the entry")
	}
	c3, _ := open(t, raw, nil).Cache("ai")
	if _, ok, _ := c3.Get(ctx, "3f1c0a9b2e7d4c5a8b6f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3"); ok {
		t.Error("a store without the key read an encrypted entry")
	}

	// An altered entry reads as absent.
	var path string
	_ = filepath.Walk(filepath.Join(dir, "cache"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && filepath.Ext(p) != ".attrs" {
			path = p
		}
		return nil
	})
	if path == "" {
		t.Fatal("no cache entry on disk")
	}
	if err := os.WriteFile(path, []byte(`{"content":"forged"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fc, _ := file.Cache("ai")
	if v, ok, _ := fc.Get(ctx, filepath.Base(path)); ok {
		t.Errorf("altered entry read as %q", v)
	}

	// Prune drops entries older than CacheMaxAge, and keeps the others.
	rep, err := s3.Prune(ctx, blobstore.PruneOptions{KeepEditions: 1, Now: time.Now()})
	if err != nil || rep.DeletedCache != 0 {
		t.Fatalf("prune now: %+v %v", rep, err)
	}
	rep, err = s3.Prune(ctx, blobstore.PruneOptions{KeepEditions: 1, Now: time.Now().Add(blobstore.DefaultCacheMaxAge + time.Hour)})
	if err != nil || rep.DeletedCache != 1 {
		t.Fatalf("prune a month on: %+v %v", rep, err)
	}
	if _, ok, _ := c2.Get(ctx, "3f1c0a9b2e7d4c5a8b6f0e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3"); ok {
		t.Error("the pruned entry is still there")
	}
}

// TestCachePruneByLastUse: a prune measures a cache entry's age from its
// last read, not its write, so an old entry still in use stays and an old
// one nobody reads goes, with its record of use.
func TestCachePruneByLastUse(t *testing.T) {
	ctx := context.Background()
	s, dir := fileStore(t, nil)
	c, err := s.Cache("ai")
	if err != nil {
		t.Fatal(err)
	}
	const used, unused = "aaaa0001", "bbbb0002"
	for _, k := range []string{used, unused} {
		if err := c.Put(ctx, k, []byte(`{"content":"`+k+`"}`)); err != nil {
			t.Fatal(err)
		}
	}
	// Both were written forty days ago; the used one is read now.
	old := time.Now().Add(-40 * 24 * time.Hour)
	ageAll := func(sub string) {
		_ = filepath.Walk(filepath.Join(dir, sub), func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if err := os.Chtimes(p, old, old); err != nil {
					t.Fatal(err)
				}
			}
			return nil
		})
	}
	ageAll("cache")
	if _, ok, err := c.Get(ctx, used); !ok || err != nil {
		t.Fatalf("read: ok=%v err=%v", ok, err)
	}
	rep, err := s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 1, Now: time.Now()})
	if err != nil || rep.DeletedCache != 1 {
		t.Fatalf("prune: %+v %v, want one cache entry deleted", rep, err)
	}
	if _, ok, _ := c.Get(ctx, used); !ok {
		t.Error("the entry read a moment ago was pruned as if unused since its write")
	}
	if _, ok, _ := c.Get(ctx, unused); ok {
		t.Error("the entry unread for forty days was kept")
	}
	// Once unused for longer than CacheMaxAge it goes too, and no record
	// of its use is left behind.
	ageAll("cache")
	ageAll("cache-access")
	if rep, err := s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 1, Now: time.Now()}); err != nil || rep.DeletedCache != 1 {
		t.Fatalf("second prune: %+v %v, want the other entry deleted", rep, err)
	}
	var left []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("files left after both entries were pruned: %q", left)
	}
}
