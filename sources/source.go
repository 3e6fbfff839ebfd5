// Package sources defines how living documents are fetched. Each
// implementation lives in its own subpackage (markdown, gdocs, notion) and
// converts its native format into content.Document.
package sources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"

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

// Ref names a document: kind, the ID the kind's Source understands and,
// optionally, the document's language.
type Ref struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Lang is the document's language as a canonical BCP 47 tag, for
	// documents that do not name one themselves: the Docs API does not
	// expose a document's language, and a Notion page has one only as a
	// database property. A language the document names wins.
	Lang string `json:"lang,omitempty"`
}

// langParam introduces a reference's language: "gdocs:1AbC…;lang=pt-BR".
const langParam = ";lang="

// String is "kind:id", followed by ";lang=<tag>" when Lang is set;
// ParseRef reads it back.
func (r Ref) String() string {
	if r.Lang != "" {
		return r.Kind + ":" + r.ID + langParam + r.Lang
	}
	return r.Kind + ":" + r.ID
}

// Document is the reference without its language: the document itself,
// whatever language it is read in.
func (r Ref) Document() Ref { return Ref{Kind: r.Kind, ID: r.ID} }

// ParseRef parses "kind:id", e.g. "markdown:examples/living-document.md",
// "gdocs:1AbC…", "notion:0f3c…", optionally followed by the document's
// language, "gdocs:1AbC…;lang=pt-BR".
func ParseRef(s string) (Ref, error) {
	kind, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	var lang string
	if i := strings.LastIndex(id, langParam); ok && i >= 0 {
		id, lang = id[:i], id[i+len(langParam):]
	}
	if !ok || id == "" {
		return Ref{}, fmt.Errorf("source %q: want kind:id, e.g. markdown:examples/living-document.md, gdocs:<document-id> or notion:<page-id>", s)
	}
	switch kind {
	case KindMarkdown, KindGDocs, KindNotion:
	default:
		return Ref{}, fmt.Errorf("source %q: unknown kind %q; use markdown, gdocs or notion", s, kind)
	}
	ref := Ref{Kind: kind, ID: id}
	if lang != "" || strings.Contains(s, langParam) {
		tag, err := LangTag(lang)
		if err != nil {
			return Ref{}, fmt.Errorf("source %q: %w", s, err)
		}
		ref.Lang = tag
	}
	return ref, nil
}

// LangTag checks a language tag and returns it canonical ("pt-br" gives
// "pt-BR"), or an error saying what to write instead.
func LangTag(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "", errors.New("the language is empty: give a BCP 47 language tag such as en, pt-BR or ar")
	}
	t, err := language.Parse(tag)
	if err != nil {
		return "", fmt.Errorf("language %q is not a BCP 47 language tag: use one such as en, pt-BR or ar (a language subtag, then optionally a region)", tag)
	}
	if _, c := t.Base(); c != language.Exact {
		return "", fmt.Errorf("language %q names no language: use a tag such as en, pt-BR or ar", tag)
	}
	return t.String(), nil
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
		doc.Source = ref.Document().String()
	}
	if doc.Lang == "" {
		doc.Lang = ref.Lang
	}
	return doc, nil
}

// Reviser is a Source that tells a document's current revision more
// cheaply than a fetch: one small request and no conversion. A watcher
// asks it every few minutes; the revision only has to change when the
// document does.
type Reviser interface {
	Revision(ctx context.Context, id string) (string, error)
}

// Revision returns the current revision of ref, through the Source's own
// Revision when it has one, else from a full fetch.
func (r Registry) Revision(ctx context.Context, ref Ref) (string, error) {
	src, ok := r[ref.Kind]
	if !ok || src == nil {
		return "", fmt.Errorf("check revision of %s: no %s source is configured on this worker", ref, ref.Kind)
	}
	if rv, ok := src.(Reviser); ok {
		rev, err := rv.Revision(ctx, ref.ID)
		if err != nil {
			return "", fmt.Errorf("check revision of %s: %w", ref, err)
		}
		return rev, nil
	}
	doc, err := r.Fetch(ctx, ref)
	if err != nil {
		return "", err
	}
	return DocumentRevision(doc), nil
}

// DocumentRevision is the document's own revision, or a digest of its
// content when the source gave none.
func DocumentRevision(doc content.Document) string {
	if doc.Revision != "" {
		return doc.Revision
	}
	b, _ := json.Marshal(struct {
		Title  string          `json:"title"`
		Blocks []content.Block `json:"blocks"`
	}{doc.Title, doc.Blocks})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
