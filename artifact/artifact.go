// Package artifact names the large payloads of an edition (fetched
// documents, parsed content, rendered emails and web updates) that live
// outside workflow history: each is written once under its SHA-256
// digest, and history carries only a Ref. This package is data only
// (refs, media types, read errors, prune reports), so workflows can carry
// refs without linking a storage backend; artifact/blobstore is the store.
package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Media types of the artifacts an edition writes.
const (
	MediaDocument = "application/vnd.halcytone.document+json"
	MediaParsed   = "application/vnd.halcytone.parsed+json"
	MediaVariant  = "application/vnd.halcytone.variant+json"
	MediaWeb      = "application/vnd.halcytone.web+json"
	MediaEdition  = "application/vnd.halcytone.edition+json"
	// MediaAITask is one suggestion request, prompts rendered.
	MediaAITask = "application/vnd.halcytone.ai-task+json"
)

// Ref names an artifact: what history carries instead of the bytes.
type Ref struct {
	// Digest is "sha256:<hex>" of the plain content.
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
	MediaType string `json:"media_type"`
}

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Digest == "" }

// Hex is the digest without its "sha256:" prefix.
func (r Ref) Hex() string { return strings.TrimPrefix(r.Digest, "sha256:") }

// Digest returns "sha256:<hex>" of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Sentinels for errors.Is on a *Error.
var (
	ErrMissing = errors.New("artifact is missing")
	ErrCorrupt = errors.New("artifact does not match its digest")
	ErrSealed  = errors.New("artifact cannot be decrypted")
)

// Error says which artifact of which store could not be read, and why.
type Error struct {
	Digest string
	Store  string
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("artifact %s in store %s: %v", e.Digest, e.Store, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// PruneReport says what a prune kept and deleted.
type PruneReport struct {
	Kept         []string `json:"kept_editions"`
	Dropped      []string `json:"dropped_editions,omitempty"`
	Deleted      int      `json:"deleted_artifacts"`
	DeletedBytes int64    `json:"deleted_bytes"`
	Retained     int      `json:"retained_artifacts"`
	// DeletedCache counts cache entries unused for longer than
	// CacheMaxAge.
	DeletedCache int `json:"deleted_cache_entries,omitempty"`
}
