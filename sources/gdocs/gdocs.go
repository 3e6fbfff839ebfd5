// Package gdocs fetches a Google Docs document through the Docs API and
// converts it into a content.Document.
//
// Conversion choices worth knowing:
//   - Tabs are read in order, depth first. The first tab is the document's
//     main body; every other tab (child tabs included) starts with its
//     title as a heading, level 1 for top-level tabs and one deeper per
//     nesting level, unless the tab already starts with that heading or
//     has no content at all (nor its child tabs).
//   - Merged table cells keep their row and column spans; a table inside a
//     table cell follows its table, with a warning, and its cell says
//     "(table below)".
//   - The first TITLE paragraph becomes Document.Title (else the file name);
//     SUBTITLE paragraphs are ordinary paragraphs.
//   - Links to a heading, bookmark or tab of the document are dropped and
//     their text kept: an edition has no anchors to point them to.
//   - Checklists (list levels with neither glyph type nor symbol) become todo
//     blocks; the API does not expose the check mark, so an item whose text
//     is all struck through counts as checked and loses the strikethrough.
//   - Footnote references become "[n]", numbered in order of appearance over
//     all tabs; the footnotes follow at the end as a bold "Footnotes"
//     paragraph and a numbered list.
//   - Equations are not exported by the API: each is a warning and the text
//     "[equation]".
//   - Links and images the newsletter cannot follow (javascript:, data:,
//     relative) are reported, as Markdown reports them.
//   - The API does not give the document's language, so the document has
//     none; the source reference can ("gdocs:<id>;lang=pt-BR"). Its
//     direction is what most of its paragraphs are set to.
package gdocs

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"google.golang.org/api/docs/v1"
	"google.golang.org/api/option"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/imagestore"
	"github.com/halcytone/contentgen/sources/internal/httpretry"
)

// Options configure a Source.
type Options struct {
	// CredentialsFile is a service-account JSON key. Empty means
	// Application Default Credentials.
	CredentialsFile string
	// Endpoint replaces the Docs API base URL, https://docs.googleapis.com/.
	Endpoint string
	// HTTPClient supplies the transport under authentication and retries
	// (and its timeout); token requests use it too. Nil means defaults.
	HTTPClient *http.Client
	// ImageStore keeps copies of images, whose API URLs expire in about 30
	// minutes. Nil leaves the expiring URLs in place, with a warning.
	ImageStore imagestore.Store
	// MaxRetries is how often a request answered 429 (or 503 with
	// Retry-After) is retried; 0 means 3, negative means never.
	MaxRetries int
}

// Source fetches Google Docs documents.
type Source struct {
	docs   *docs.Service
	images imagestore.Store
	// account is the service account's email, for error messages.
	account string
}

var _ sources.Source = (*Source)(nil)

// New returns a Source reading documents with the configured credentials.
// Missing or unreadable credentials fail here, wrapping sources.ErrAuth.
func New(ctx context.Context, o Options) (*Source, error) {
	creds, account, err := loadCredentials(o)
	if err != nil {
		return nil, err
	}
	retries := o.MaxRetries
	if retries == 0 {
		retries = 3
	}
	var base http.RoundTripper
	if o.HTTPClient != nil {
		base = o.HTTPClient.Transport
	}
	client, err := authClient(creds, &httpretry.Transport{Base: base, MaxRetries: max(retries, 0)})
	if err != nil {
		return nil, err
	}
	if o.HTTPClient != nil {
		client.Timeout = o.HTTPClient.Timeout
	}
	opts := []option.ClientOption{option.WithHTTPClient(client)}
	if o.Endpoint != "" {
		// The client resolves API paths against the endpoint, which needs a
		// trailing slash to keep any path prefix.
		opts = append(opts, option.WithEndpoint(strings.TrimRight(o.Endpoint, "/")+"/"))
	}
	svc, err := docs.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("google docs client: %w", err)
	}
	return &Source{docs: svc, images: o.ImageStore, account: account}, nil
}

// Fetch reads the document id (a document ID or its URL) with suggestions
// hidden and every tab included.
func (s *Source) Fetch(ctx context.Context, id string) (content.Document, error) {
	docID, err := documentID(id)
	if err != nil {
		return content.Document{}, err
	}
	d, err := s.docs.Documents.Get(docID).
		SuggestionsViewMode("PREVIEW_WITHOUT_SUGGESTIONS").
		IncludeTabsContent(true).
		Context(ctx).
		Do()
	if err != nil {
		return content.Document{}, s.classify(docID, err)
	}
	doc := convert(ctx, d, s.images)
	doc.Source = sources.KindGDocs + ":" + docID
	return doc, nil
}

var (
	urlIDPattern = regexp.MustCompile(`/document/(?:u/\d+/)?d/([A-Za-z0-9_-]+)`)
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// documentID accepts a document ID or a docs.google.com URL.
func documentID(id string) (string, error) {
	id = strings.TrimSpace(id)
	if m := urlIDPattern.FindStringSubmatch(id); m != nil {
		return m[1], nil
	}
	if !idPattern.MatchString(id) {
		return "", fmt.Errorf("google docs document %q: %w: not a document ID; use the part of the document's URL between /d/ and /edit",
			id, sources.ErrNotFound)
	}
	return id, nil
}
