// Package blobstore stores the artifacts of an edition (see package
// artifact) in a bucket: each is written once under its SHA-256 digest.
// Any gocloud.dev/blob URL picks the backend (file://, s3://, gs://,
// azblob://); with a keyring every object is encrypted with AES-256-GCM,
// the key ID in the object's metadata.
package blobstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob:// URLs
	_ "gocloud.dev/blob/fileblob"  // file:// URLs
	_ "gocloud.dev/blob/gcsblob"   // gs:// URLs
	_ "gocloud.dev/blob/s3blob"    // s3:// URLs
	"gocloud.dev/gcerrors"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/codec"
)

// Object metadata keys. The cipher and key ID names are the payload
// codec's, so one key spec reads both.
const (
	metaMediaType = "media-type"
	metaKeyID     = codec.MetadataKeyID
	metaCipher    = codec.MetadataCipher
)

const (
	blobPrefix  = "sha256/"
	indexPrefix = "editions/"
)

// Store is a content-addressed, immutable artifact store. It is safe for
// concurrent use; workers on several machines may share one bucket.
type Store struct {
	bucket *blob.Bucket
	name   string
	keys   *codec.Keyring
}

// Open opens the store at rawURL: file:///abs/dir, s3://bucket?region=…,
// gs://bucket or azblob://container. keys, when not nil, encrypts what is
// written and decrypts what is read.
func Open(ctx context.Context, rawURL string, keys *codec.Keyring) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("artifact store URL %q: want file:///path, s3://bucket, gs://bucket or azblob://container", rawURL)
	}
	if u.Scheme == "file" {
		q := u.Query()
		if !q.Has("create_dir") {
			q.Set("create_dir", "true")
		}
		u.RawQuery = q.Encode()
	}
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("open artifact store %s: %w", displayName(u), err)
	}
	return &Store{bucket: b, name: displayName(u), keys: keys}, nil
}

// displayName is the URL without its query, for messages.
func displayName(u *url.URL) string {
	c := *u
	c.RawQuery, c.User = "", nil
	return c.String()
}

// Name is the store's URL without query parameters.
func (s *Store) Name() string { return s.name }

// Encrypted reports whether the store encrypts what it writes.
func (s *Store) Encrypted() bool { return s.keys != nil }

// Close releases the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// Put writes data under its digest unless it is already stored, and, when
// edition is set, records that the edition uses it (see Prune).
func (s *Store) Put(ctx context.Context, edition, mediaType string, data []byte) (artifact.Ref, error) {
	ref := artifact.Ref{Digest: artifact.Digest(data), Size: int64(len(data)), MediaType: mediaType}
	key := blobPrefix + ref.Hex()
	exists, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return ref, fmt.Errorf("artifact %s in store %s: %w", ref.Digest, s.name, err)
	}
	if !exists {
		if err := s.write(ctx, key, ref, bytes.NewReader(data)); err != nil {
			return ref, err
		}
	}
	return ref, s.index(ctx, edition, ref)
}

func indexKey(edition string, ref artifact.Ref) string {
	return indexPrefix + edition + "/" + ref.Hex()
}

// Get reads an artifact and checks it against its digest and size. The
// error is a *Error wrapping ErrMissing, ErrCorrupt or ErrSealed when the
// artifact is gone, altered or unreadable with the keys at hand.
func (s *Store) Get(ctx context.Context, ref artifact.Ref) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, &artifact.Error{Digest: ref.Digest, Store: s.name, Err: err}
	}
	if !validDigest(ref.Digest) {
		return fail(fmt.Errorf("%w: malformed digest, want sha256:<64 hex digits>", artifact.ErrCorrupt))
	}
	attrs, err := s.bucket.Attributes(ctx, blobPrefix+ref.Hex())
	if err != nil {
		return fail(s.readErr(err))
	}
	return s.get(ctx, ref, attrs)
}

// get reads a whole artifact whose attributes are known, opens it when
// sealed, and checks it against its digest.
func (s *Store) get(ctx context.Context, ref artifact.Ref, attrs *blob.Attributes) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, &artifact.Error{Digest: ref.Digest, Store: s.name, Err: err}
	}
	r, err := s.bucket.NewReader(ctx, blobPrefix+ref.Hex(), nil)
	if err != nil {
		return fail(s.readErr(err))
	}
	defer r.Close()
	// One allocation of the stored size, not a growing buffer.
	body := make([]byte, 0, attrs.Size+1)
	for {
		n, err := r.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(s.readErr(err))
		}
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
	}
	if id := attrs.Metadata[metaKeyID]; id != "" {
		if s.keys == nil {
			return fail(fmt.Errorf("%w: it is encrypted with key %q; set NEWSLETTER_CODEC_KEYS to a key spec holding that key", artifact.ErrSealed, id))
		}
		if c := attrs.Metadata[metaCipher]; c != codec.CipherAES256GCM {
			return fail(fmt.Errorf("%w: cipher %q is not supported", artifact.ErrSealed, c))
		}
		if body, err = s.keys.Open(id, body); err != nil {
			return fail(fmt.Errorf("%w: %w", artifact.ErrSealed, err))
		}
	}
	if got := artifact.Digest(body); got != ref.Digest || int64(len(body)) != ref.Size {
		return fail(fmt.Errorf("%w: read %d bytes with digest %s, want %d bytes; the object was altered, so re-render the edition from the same source revision",
			artifact.ErrCorrupt, len(body), got, ref.Size))
	}
	return body, nil
}

func (s *Store) readErr(err error) error {
	if gcerrors.Code(err) == gcerrors.NotFound {
		return fmt.Errorf("%w: it was deleted, or this worker uses another ARTIFACT_STORE_URL than the one that wrote it", artifact.ErrMissing)
	}
	return err
}

func validDigest(d string) bool {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}

// PutJSON stores v encoded as JSON.
func (s *Store) PutJSON(ctx context.Context, edition, mediaType string, v any) (artifact.Ref, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return artifact.Ref{}, fmt.Errorf("encode %s: %w", mediaType, err)
	}
	return s.Put(ctx, edition, mediaType, b)
}

// GetJSON reads and verifies an artifact and decodes it into v.
func (s *Store) GetJSON(ctx context.Context, ref artifact.Ref, v any) error {
	b, err := s.Get(ctx, ref)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &artifact.Error{Digest: ref.Digest, Store: s.name, Err: fmt.Errorf("%w: decode %s: %w", artifact.ErrCorrupt, ref.MediaType, err)}
	}
	return nil
}
