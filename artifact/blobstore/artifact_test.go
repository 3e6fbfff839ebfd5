package blobstore_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/codec"
)

func fileStore(t *testing.T, keys *codec.Keyring) (*blobstore.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "artifacts")
	s, err := blobstore.Open(context.Background(), (&url.URL{Scheme: "file", Path: dir}).String(), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// s3Store opens the store through the real s3blob driver against an
// in-memory S3 server.
func s3Store(t *testing.T, keys *codec.Keyring) (*blobstore.Store, *s3mem.Backend, string) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("artifacts"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	raw := S3URL("artifacts", srv.URL)
	return open(t, raw, keys), backend, raw
}

func open(t *testing.T, raw string, keys *codec.Keyring) *blobstore.Store {
	t.Helper()
	s, err := blobstore.Open(context.Background(), raw, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// S3URL is the store URL of an S3-compatible server at endpoint.
func S3URL(bucket, endpoint string) string {
	q := url.Values{"endpoint": {endpoint}, "region": {"us-east-1"}, "use_path_style": {"true"}}
	return "s3://" + bucket + "?" + q.Encode()
}

func keyring(t *testing.T, id string) *codec.Keyring {
	t.Helper()
	spec, err := codec.NewKey(id)
	if err != nil {
		t.Fatal(err)
	}
	k, err := codec.ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTripAndDedupe(t *testing.T) {
	ctx := context.Background()
	stores := map[string]func(t *testing.T) *blobstore.Store{
		"file": func(t *testing.T) *blobstore.Store { s, _ := fileStore(t, nil); return s },
		"s3":   func(t *testing.T) *blobstore.Store { s, _, _ := s3Store(t, nil); return s },
		"s3-encrypted": func(t *testing.T) *blobstore.Store {
			s, _, _ := s3Store(t, keyring(t, "k1"))
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			data := bytes.Repeat([]byte("Breathscape section. "), 50_000) // 1 MB
			ref, err := s.Put(ctx, "2026-W48", artifact.MediaParsed, data)
			if err != nil {
				t.Fatal(err)
			}
			if ref.Digest != artifact.Digest(data) || ref.Size != int64(len(data)) || ref.MediaType != artifact.MediaParsed {
				t.Fatalf("ref = %+v", ref)
			}
			again, err := s.Put(ctx, "2026-W49", artifact.MediaParsed, data)
			if err != nil || again != ref {
				t.Fatalf("second put = %+v, %v; want the same ref", again, err)
			}
			got, err := s.Get(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatal("read back different bytes")
			}
		})
	}
}

func TestMissingArtifactNamesDigestAndStore(t *testing.T) {
	s, dir := fileStore(t, nil)
	ref, err := s.Put(context.Background(), "", artifact.MediaVariant, []byte(`{"id":"all"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "sha256", ref.Hex())); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(context.Background(), ref)
	if !errors.Is(err, artifact.ErrMissing) {
		t.Fatalf("err = %v, want ErrMissing", err)
	}
	for _, want := range []string{ref.Digest, "file://" + dir} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestCorruptArtifactIsRefused(t *testing.T) {
	s, dir := fileStore(t, nil)
	ref, err := s.Put(context.Background(), "", artifact.MediaVariant, []byte(`{"id":"all","html":"<p>hi</p>"}`))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sha256", ref.Hex())
	if err := os.WriteFile(path, []byte(`{"id":"all","html":"<p>HI</p>"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(context.Background(), ref)
	if !errors.Is(err, artifact.ErrCorrupt) || !strings.Contains(err.Error(), ref.Digest) {
		t.Fatalf("err = %v, want ErrCorrupt naming %s", err, ref.Digest)
	}
	// A Put of the right bytes does not overwrite what is stored: the
	// store is never silently rewritten.
	if _, err := s.Put(context.Background(), "", artifact.MediaVariant, []byte(`{"id":"all","html":"<p>hi</p>"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), ref); !errors.Is(err, artifact.ErrCorrupt) {
		t.Fatalf("after put, err = %v, want ErrCorrupt still", err)
	}
}

func TestEncryptedArtifactsNeedTheKey(t *testing.T) {
	ctx := context.Background()
	keys := keyring(t, "2026-01")
	s, backend, raw := s3Store(t, keys)
	secret := []byte("unpublished: Hardware ships in March to reader@example.com")
	ref, err := s.Put(ctx, "2026-W48", artifact.MediaVariant, secret)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := backend.GetObject("artifacts", "sha256/"+ref.Hex(), nil)
	if err != nil {
		t.Fatal(err)
	}
	stored := new(bytes.Buffer)
	_, _ = stored.ReadFrom(obj.Contents)
	obj.Contents.Close()
	if bytes.Contains(stored.Bytes(), []byte("Hardware")) || bytes.Contains(stored.Bytes(), []byte("reader@example.com")) {
		t.Fatal("stored object holds plain text")
	}
	if got := obj.Metadata["X-Amz-Meta-Encryption-Key-Id"]; got != "2026-01" {
		t.Errorf("key ID metadata = %q (metadata %v)", got, obj.Metadata)
	}

	// The same bucket without keys, and with another key, cannot read it.
	noKey := open(t, raw, nil)
	if _, err := noKey.Get(ctx, ref); !errors.Is(err, artifact.ErrSealed) || !strings.Contains(err.Error(), "NEWSLETTER_CODEC_KEYS") {
		t.Fatalf("without keys: err = %v, want ErrSealed naming NEWSLETTER_CODEC_KEYS", err)
	}
	otherKey := open(t, raw, keyring(t, "other"))
	if _, err := otherKey.Get(ctx, ref); !errors.Is(err, artifact.ErrSealed) || !strings.Contains(err.Error(), `"2026-01"`) {
		t.Fatalf("with another key: err = %v, want ErrSealed naming key 2026-01", err)
	}
	got, err := s.Get(ctx, ref)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("with the key: %q, %v", got, err)
	}
}

func TestPruneKeepsRecentAndProtectedEditions(t *testing.T) {
	ctx := context.Background()
	s, _ := fileStore(t, nil)
	put := func(ed, body string) artifact.Ref {
		ref, err := s.Put(ctx, ed, artifact.MediaVariant, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // distinct modification times per edition
		return ref
	}
	old := put("2026-W45", "only in W45")
	shared := put("2026-W45", "in every edition")
	running := put("2026-W46", "only in W46, still running")
	put("2026-W47", "in every edition")
	w47 := put("2026-W47", "only in W47")
	put("2026-W48", "in every edition")
	w48 := put("2026-W48", "only in W48")

	later := time.Now().Add(48 * time.Hour)
	rep, err := s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 2, Protect: []string{"2026-W46"}, Now: later, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 1 {
		t.Fatalf("dry run report %+v, want 1 to delete", rep)
	}
	if _, err := s.Get(ctx, old); err != nil {
		t.Fatalf("dry run deleted: %v", err)
	}
	// Nothing is old enough yet: a just-written artifact is never deleted.
	if rep, err := s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 1}); err != nil || rep.Deleted != 0 {
		t.Fatalf("prune of young artifacts: %+v, %v", rep, err)
	}
	rep, err = s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 2, Protect: []string{"2026-W46"}, Now: later})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Kept, ",") != "2026-W48,2026-W47,2026-W46" || strings.Join(rep.Dropped, ",") != "2026-W45" || rep.Deleted != 1 {
		t.Fatalf("report %+v", rep)
	}
	if _, err := s.Get(ctx, old); !errors.Is(err, artifact.ErrMissing) {
		t.Fatalf("W45-only artifact: %v, want deleted", err)
	}
	for _, ref := range []artifact.Ref{shared, running, w47, w48} {
		if _, err := s.Get(ctx, ref); err != nil {
			t.Errorf("kept artifact: %v", err)
		}
	}
	if _, err := s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 0}); err == nil {
		t.Fatal("keep 0 editions accepted")
	}
}

func TestOpenRefusesBadURL(t *testing.T) {
	for _, u := range []string{"", "/tmp/no-scheme", "ftp://host/x"} {
		if _, err := blobstore.Open(context.Background(), u, nil); err == nil {
			t.Errorf("Open(%q) worked", u)
		}
	}
}
