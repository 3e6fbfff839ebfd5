package blobstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/codec"
	"github.com/halcytone/contentgen/internal/testtools"
)

// gcsStore is a gs:// store on github.com/fsouza/fake-gcs-server, reached
// through gocloud's own gcsblob driver (STORAGE_EMULATOR_HOST is how
// Google's client library is pointed at an emulator).
func gcsStore(t *testing.T, keys *codec.Keyring) *blobstore.Store {
	t.Helper()
	// Reads go through the XML API, which the fake serves path-style on
	// its public host: the host and port the client is pointed at.
	port := testtools.FreePort(t)
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: uint16(port),
		PublicHost: fmt.Sprintf("127.0.0.1:%d", port)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "artifacts"})
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(srv.URL(), "http://"))
	return open(t, "gs://artifacts?anonymous=true", keys)
}

// TestStreamsOnEveryBackend writes and reads a large artifact as a stream
// on disk, S3 (gofakes3) and Google Cloud Storage (fake-gcs-server),
// plain and encrypted, and a prune on each.
func TestStreamsOnEveryBackend(t *testing.T) {
	ctx := context.Background()
	stores := map[string]func(t *testing.T) *blobstore.Store{
		"file":           func(t *testing.T) *blobstore.Store { s, _ := fileStore(t, nil); return s },
		"s3":             func(t *testing.T) *blobstore.Store { s, _, _ := s3Store(t, nil); return s },
		"gs":             func(t *testing.T) *blobstore.Store { return gcsStore(t, nil) },
		"gs-encrypted":   func(t *testing.T) *blobstore.Store { return gcsStore(t, keyring(t, "k1")) },
		"file-encrypted": func(t *testing.T) *blobstore.Store { s, _ := fileStore(t, keyring(t, "k1")); return s },
	}
	data := bytes.Repeat([]byte("<p>Breathscape — a longer exhale.</p>\n"), 100_000) // 3.9 MB
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			ref, err := s.PutStream(ctx, "2026-W48", artifact.MediaVariant, func(w io.Writer) error {
				for chunk := range slices.Chunk(data, 1000) {
					if _, err := w.Write(chunk); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if ref != (artifact.Ref{Digest: artifact.Digest(data), Size: int64(len(data)), MediaType: artifact.MediaVariant}) {
				t.Fatalf("ref %+v", ref)
			}
			r, err := s.Open(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes, %v", len(got), err)
			}
			if b, err := s.Get(ctx, ref); err != nil || !bytes.Equal(b, data) {
				t.Fatalf("Get: %d bytes, %v", len(b), err)
			}
			if _, err := s.Put(ctx, "2026-W49", "text/plain", []byte("newer")); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Prune(ctx, blobstore.PruneOptions{KeepEditions: 1, MinAge: 1})
			if err != nil || rep.Deleted != 1 {
				t.Fatalf("prune %+v, %v: want the older edition's artifact deleted", rep, err)
			}
		})
	}
}

// TestOpenFailsOnAlteredContent: a stream read to the end fails, naming
// the digest, when the object was changed on disk.
func TestOpenFailsOnAlteredContent(t *testing.T) {
	s, dir := fileStore(t, nil)
	data := bytes.Repeat([]byte("section text "), 10_000)
	ref, err := s.Put(context.Background(), "", artifact.MediaVariant, data)
	if err != nil {
		t.Fatal(err)
	}
	altered := bytes.Clone(data)
	altered[len(altered)/2] = 'X'
	if err := os.WriteFile(filepath.Join(dir, "sha256", ref.Hex()), altered, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	if !errors.Is(err, artifact.ErrCorrupt) || !strings.Contains(err.Error(), ref.Digest) {
		t.Fatalf("read of an altered artifact: %v; want ErrCorrupt naming %s", err, ref.Digest)
	}
}
