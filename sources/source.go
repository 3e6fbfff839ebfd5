// Package sources defines how living documents are fetched. Each
// implementation lives in its own subpackage (markdown, gdocs, notion) and
// converts its native format into content.Document.
package sources

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// Source fetches one document by its ID (a path, URL, document ID or page ID,
// as the implementation understands it).
type Source interface {
	Fetch(ctx context.Context, id string) (content.Document, error)
}

// Sentinel errors a Source wraps so callers can tell a retry from a fix.
var (
	// ErrNotFound: the document does not exist or the path is wrong.
	ErrNotFound = errors.New("document not found")
	// ErrPermission: the credentials are valid but may not read the document.
	ErrPermission = errors.New("no permission to read the document")
	// ErrAuth: credentials are missing or invalid.
	ErrAuth = errors.New("missing or invalid credentials")
	// ErrInvalid: the document could not be converted.
	ErrInvalid = errors.New("document could not be read")
)

// Kinds of source reference.
const (
	KindMarkdown = "markdown"
	KindGDocs    = "gdocs"
	KindNotion   = "notion"
)

// Ref names a document: kind and the ID the kind's Source understands.
type Ref struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

func (r Ref) String() string { return r.Kind + ":" + r.ID }

// ParseRef parses "kind:id", e.g. "markdown:examples/living-document.md",
// "gdocs:1AbC…", "notion:0f3c…".
func ParseRef(s string) (Ref, error) {
	kind, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || id == "" {
		return Ref{}, fmt.Errorf("source %q: want kind:id, e.g. markdown:examples/living-document.md, gdocs:<document-id> or notion:<page-id>", s)
	}
	switch kind {
	case KindMarkdown, KindGDocs, KindNotion:
		return Ref{Kind: kind, ID: id}, nil
	}
	return Ref{}, fmt.Errorf("source %q: unknown kind %q; use markdown, gdocs or notion", s, kind)
}

// Registry maps a kind to its Source.
type Registry map[string]Source

// Fetch fetches ref through the Source registered for its kind.
func (r Registry) Fetch(ctx context.Context, ref Ref) (content.Document, error) {
	src, ok := r[ref.Kind]
	if !ok || src == nil {
		return content.Document{}, fmt.Errorf("fetch %s: no %s source is configured on this worker", ref, ref.Kind)
	}
	doc, err := src.Fetch(ctx, ref.ID)
	if err != nil {
		return content.Document{}, fmt.Errorf("fetch %s: %w", ref, err)
	}
	if doc.Source == "" {
		doc.Source = ref.String()
	}
	return doc, nil
}
