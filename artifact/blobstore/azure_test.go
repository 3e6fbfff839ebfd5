package blobstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"gocloud.dev/blob"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/internal/testtools"
)

// azuriteKey is the emulator account's key: fresh for each test process,
// and the same for every Azurite it starts, since gocloud reads the
// account from the environment only once.
var azuriteKey = sync.OnceValue(func() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return base64.StdEncoding.EncodeToString(key)
})

// azurite starts Azurite's blob service (bin/azurite-blob, which 'make
// tools' installs) on a free port, in memory, with an account of its own
// and a fresh key, and returns the azblob:// URL of a new container.
// gocloud's azureblob driver reads the account from the environment.
func azurite(t *testing.T) (containerURL string) {
	t.Helper()
	bin := testtools.Tool(t, "azurite-blob")
	account, secret := "halcytone", azuriteKey()
	port := testtools.FreePort(t)
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), "--inMemoryPersistence",
		"--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry", "--silent")
	cmd.Dir = t.TempDir()
	cmd.Env = append(cmd.Environ(), "AZURITE_ACCOUNTS="+account+":"+secret)
	logPath := filepath.Join(t.TempDir(), "azurite.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	logged := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(60 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("azurite exited (%v): %s", err, logged())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("azurite did not listen on %s in 60 s: %s", addr, logged())
		}
	}
	t.Setenv("AZURE_STORAGE_ACCOUNT", account)
	t.Setenv("AZURE_STORAGE_KEY", secret)
	cred, err := azblob.NewSharedKeyCredential(account, secret)
	if err != nil {
		t.Fatal(err)
	}
	c, err := container.NewClientWithSharedKeyCredential(fmt.Sprintf("http://%s/%s/artifacts", addr, account), cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(context.Background(), nil); err != nil {
		t.Fatalf("create container: %v (azurite: %s)", err, logged())
	}
	return "azblob://artifacts?protocol=http&localemu=true&domain=" + addr
}

// TestAzureBlobStore runs the store through gocloud's azureblob driver
// against Azurite: plain and encrypted, written and read as streams, and
// a missing or altered artifact failing with its digest named.
func TestAzureBlobStore(t *testing.T) {
	raw := azurite(t)
	ctx := context.Background()
	data := bytes.Repeat([]byte("<p>Breathscape — a longer exhale.</p>\n"), 30_000) // 1.1 MB
	for _, tc := range []struct {
		name string
		key  string
	}{{"plain", ""}, {"encrypted", "k1"}} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, raw, nil)
			if tc.key != "" {
				s = open(t, raw, keyring(t, tc.key))
			}
			ed := "2026-W48-" + tc.name
			ref, err := s.PutStream(ctx, ed, artifact.MediaVariant, func(w io.Writer) error {
				for chunk := range slices.Chunk(data, 4096) {
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
				t.Fatalf("streamed read: %d bytes, %v", len(got), err)
			}
			if b, err := s.Get(ctx, ref); err != nil || !bytes.Equal(b, data) {
				t.Fatalf("Get: %d bytes, %v", len(b), err)
			}
			stored := readRaw(t, raw, "sha256/"+ref.Hex())
			if plain := bytes.Contains(stored, []byte("Breathscape")); plain == (tc.key != "") {
				t.Errorf("stored object holds plain text: %v, encrypted store: %v", plain, tc.key != "")
			}
			if tc.key != "" {
				if _, err := open(t, raw, nil).Get(ctx, ref); !errors.Is(err, artifact.ErrSealed) {
					t.Errorf("read without the key: %v, want ErrSealed", err)
				}
			}

			// Altered in the container: a read fails naming the digest.
			altered := bytes.Clone(stored)
			altered[len(altered)/2] ^= 1
			writeRaw(t, raw, "sha256/"+ref.Hex(), altered)
			want := artifact.ErrCorrupt
			if tc.key != "" {
				want = artifact.ErrSealed // AES-GCM refuses altered ciphertext
			}
			if _, err := s.Get(ctx, ref); !errors.Is(err, want) || !strings.Contains(err.Error(), ref.Digest) {
				t.Errorf("Get of an altered artifact: %v; want %v naming %s", err, want, ref.Digest)
			}
			if r, err := s.Open(ctx, ref); err == nil {
				_, err = io.Copy(io.Discard, r)
				r.Close()
				if !errors.Is(err, want) || !strings.Contains(err.Error(), ref.Digest) {
					t.Errorf("streamed read of an altered artifact: %v; want %v naming %s", err, want, ref.Digest)
				}
			} else if !errors.Is(err, want) {
				t.Errorf("Open of an altered artifact: %v; want %v", err, want)
			}

			// Deleted: the error names the digest and the store.
			deleteRaw(t, raw, "sha256/"+ref.Hex())
			_, err = s.Get(ctx, ref)
			if !errors.Is(err, artifact.ErrMissing) || !strings.Contains(err.Error(), ref.Digest) || !strings.Contains(err.Error(), "azblob://artifacts") {
				t.Errorf("Get of a deleted artifact: %v; want ErrMissing naming %s and the store", err, ref.Digest)
			}
			if _, err := s.Open(ctx, ref); !errors.Is(err, artifact.ErrMissing) {
				t.Errorf("Open of a deleted artifact: %v; want ErrMissing", err)
			}
		})
	}
}

func rawBucket(t *testing.T, raw string) *blob.Bucket {
	t.Helper()
	b, err := blob.OpenBucket(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func readRaw(t *testing.T, raw, key string) []byte {
	t.Helper()
	b, err := rawBucket(t, raw).ReadAll(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeRaw replaces an object's content, keeping its metadata.
func writeRaw(t *testing.T, raw, key string, data []byte) {
	t.Helper()
	b := rawBucket(t, raw)
	attrs, err := b.Attributes(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.WriteAll(context.Background(), key, data, &blob.WriterOptions{ContentType: attrs.ContentType, Metadata: attrs.Metadata}); err != nil {
		t.Fatal(err)
	}
}

func deleteRaw(t *testing.T, raw, key string) {
	t.Helper()
	if err := rawBucket(t, raw).Delete(context.Background(), key); err != nil {
		t.Fatal(err)
	}
}
