package blobstore

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"

	"gocloud.dev/blob"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/codec"
)

// PutStream stores what write writes, like Put, without holding it in
// memory: it is encoded once into a temporary file while hashed, then
// copied to the store under its digest unless already there. With a
// keyring the artifact is sealed whole, so it is read back into memory
// once for that.
func (s *Store) PutStream(ctx context.Context, edition, mediaType string, write func(w io.Writer) error) (artifact.Ref, error) {
	f, err := os.CreateTemp("", "artifact-*")
	if err != nil {
		return artifact.Ref{}, fmt.Errorf("store %s: temporary file: %w", mediaType, err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, h)}
	bw := bufio.NewWriterSize(cw, 256<<10)
	if err := write(bw); err != nil {
		return artifact.Ref{}, fmt.Errorf("encode %s: %w", mediaType, err)
	}
	if err := bw.Flush(); err != nil {
		return artifact.Ref{}, fmt.Errorf("store %s: temporary file: %w", mediaType, err)
	}
	ref := artifact.Ref{Digest: "sha256:" + hex.EncodeToString(h.Sum(nil)), Size: cw.n, MediaType: mediaType}
	key := blobPrefix + ref.Hex()
	exists, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return ref, fmt.Errorf("artifact %s in store %s: %w", ref.Digest, s.name, err)
	}
	if !exists {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return ref, fmt.Errorf("store %s: temporary file: %w", mediaType, err)
		}
		if err := s.write(ctx, key, ref, f); err != nil {
			return ref, err
		}
	}
	return ref, s.index(ctx, edition, ref)
}

// write copies an artifact's plain content from r to key, sealed when the
// store encrypts.
func (s *Store) write(ctx context.Context, key string, ref artifact.Ref, r io.Reader) error {
	meta := map[string]string{metaMediaType: ref.MediaType}
	if s.keys != nil {
		plain, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("write artifact %s to store %s: %w", ref.Digest, s.name, err)
		}
		id, sealed, err := s.keys.Seal(plain)
		if err != nil {
			return fmt.Errorf("encrypt artifact %s: %w", ref.Digest, err)
		}
		meta[metaKeyID], meta[metaCipher] = id, codec.CipherAES256GCM
		r = bytes.NewReader(sealed)
	}
	w, err := s.bucket.NewWriter(ctx, key, &blob.WriterOptions{ContentType: "application/octet-stream", Metadata: meta})
	if err != nil {
		return fmt.Errorf("write artifact %s to store %s: %w", ref.Digest, s.name, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		_ = w.Close()
		return fmt.Errorf("write artifact %s to store %s: %w", ref.Digest, s.name, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write artifact %s to store %s: %w", ref.Digest, s.name, err)
	}
	return nil
}

// index records that edition uses ref (see Prune); nothing for "".
func (s *Store) index(ctx context.Context, edition string, ref artifact.Ref) error {
	if edition == "" {
		return nil
	}
	if err := s.bucket.WriteAll(ctx, indexKey(edition, ref), nil, nil); err != nil {
		return fmt.Errorf("index artifact %s for edition %s in store %s: %w", ref.Digest, edition, s.name, err)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Open reads an artifact as a stream. The digest and size are checked as
// the end is reached: the last Read returns a *Error wrapping ErrCorrupt
// instead of io.EOF when they do not match, so a reader that reads to the
// end never mistakes altered content for the artifact. An encrypted
// artifact is opened whole (AES-GCM authenticates it as a unit).
func (s *Store) Open(ctx context.Context, ref artifact.Ref) (io.ReadCloser, error) {
	fail := func(err error) (io.ReadCloser, error) {
		return nil, &artifact.Error{Digest: ref.Digest, Store: s.name, Err: err}
	}
	if !validDigest(ref.Digest) {
		return fail(fmt.Errorf("%w: malformed digest, want sha256:<64 hex digits>", artifact.ErrCorrupt))
	}
	key := blobPrefix + ref.Hex()
	attrs, err := s.bucket.Attributes(ctx, key)
	if err != nil {
		return fail(s.readErr(err))
	}
	if attrs.Metadata[metaKeyID] != "" {
		b, err := s.get(ctx, ref, attrs)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	r, err := s.bucket.NewReader(ctx, key, nil)
	if err != nil {
		return fail(s.readErr(err))
	}
	return &verifier{r: r, h: sha256.New(), ref: ref, store: s.name}, nil
}

// verifier hashes what it reads and checks the digest at the end.
type verifier struct {
	r     io.ReadCloser
	h     hash.Hash
	n     int64
	ref   artifact.Ref
	store string
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.ref.Size {
		return n, v.corrupt()
	}
	if errors.Is(err, io.EOF) {
		if got := "sha256:" + hex.EncodeToString(v.h.Sum(nil)); got != v.ref.Digest || v.n != v.ref.Size {
			return n, v.corrupt()
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, &artifact.Error{Digest: v.ref.Digest, Store: v.store, Err: err}
	}
	return n, err
}

func (v *verifier) corrupt() error {
	return &artifact.Error{Digest: v.ref.Digest, Store: v.store, Err: fmt.Errorf("%w: read %d bytes or more with another digest, want %d bytes; the object was altered, so re-render the edition from the same source revision",
		artifact.ErrCorrupt, v.n, v.ref.Size)}
}

func (v *verifier) Close() error { return v.r.Close() }
