// Package notion fetches a Notion page and its blocks through the Notion API
// (github.com/jomei/notionapi) and converts them into a content.Document.
//
// Conversion choices worth knowing:
//   - A toggle is a toggle block (a details block on the web, its summary
//     in bold over its content in email); a toggleable heading is the
//     heading followed by its content.
//   - Consecutive to-dos stay to-do blocks unless one holds nested blocks;
//     then they are one list whose items start with ☐ or ☑, nesting kept.
//   - A code block's caption is an italic paragraph after it.
//   - A template block is its button text and content, with a warning.
//   - Columns are flattened in reading order, left column first.
//   - A synced block shows the original's content; when the original is not
//     shared with the integration it is left out with a warning.
//   - Child pages, child databases and links to pages become a paragraph
//     linking to the page, titled by the page's title when it can be read.
//   - Notion-hosted files (images, files, PDFs, videos, audio) have URLs that
//     expire after an hour: those the image store accepts (raster images)
//     are copied to it when one is set; the others are kept with a warning.
//     Files, PDFs, videos and audio become link paragraphs.
//   - Links and images the newsletter cannot follow (javascript:, data:,
//     relative) are reported, as Markdown reports them.
//   - A page in a database takes its language from a property named
//     Language or Lang (any case), a select or text holding a BCP 47 tag;
//     any other value is a warning and no language.
//   - Table of contents and breadcrumb blocks are left out silently; any
//     other block this package cannot show is a warning
//     "unsupported Notion block <type> (<id>)".
package notion

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jomei/notionapi"
	"golang.org/x/time/rate"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/imagestore"
	"github.com/halcytone/contentgen/sources/internal/cleantext"
	"github.com/halcytone/contentgen/sources/internal/httpretry"
	"github.com/halcytone/contentgen/sources/internal/linkcheck"
)

// Defaults for zero Options fields.
const (
	DefaultRequestsPerSecond = 3 // Notion's documented average rate limit
	DefaultMaxRetries        = 3
)

// Options configure a Source.
type Options struct {
	// Token is the integration's secret.
	Token string
	// BaseURL replaces https://api.notion.com (scheme, host and a path
	// prefix), e.g. for a proxy or a fake in tests.
	BaseURL string
	// HTTPClient supplies the transport under pacing and retries, and the
	// timeout. Nil means defaults.
	HTTPClient *http.Client
	// RequestsPerSecond paces requests; 0 means 3.
	RequestsPerSecond float64
	// ImageStore keeps copies of Notion-hosted files. Nil leaves their
	// expiring URLs in place, with a warning.
	ImageStore imagestore.Store
	// MaxRetries is how often a request answered 429 is retried after
	// waiting Retry-After; 0 means 3, negative means never.
	MaxRetries int
}

// Source fetches Notion pages.
type Source struct {
	client *notionapi.Client
	images imagestore.Store
}

var _ sources.Source = (*Source)(nil)

// New returns a Source using the integration token o.Token.
func New(o Options) (*Source, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, fmt.Errorf("notion source: %w: no integration token; set NOTION_TOKEN to the integration's secret "+
			"and share the page with the integration (page ••• menu → Connections)", sources.ErrAuth)
	}
	rps := o.RequestsPerSecond
	if rps <= 0 {
		rps = DefaultRequestsPerSecond
	}
	retries := o.MaxRetries
	if retries == 0 {
		retries = DefaultMaxRetries
	}
	t := &transport{next: &httpretry.Transport{
		Limiter:    rate.NewLimiter(rate.Limit(rps), max(1, int(rps))),
		MaxRetries: max(retries, 0),
	}}
	hc := &http.Client{Transport: t}
	if o.HTTPClient != nil {
		t.next.Base = o.HTTPClient.Transport
		hc.Timeout = o.HTTPClient.Timeout
	}
	if o.BaseURL != "" {
		u, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("notion source: base URL %q: want an http(s) URL such as https://api.notion.com", o.BaseURL)
		}
		t.base = u
	}
	// The transport paces and retries 429s itself (honouring Retry-After in
	// seconds or as a date, bounded); the library's own retry loop is
	// limited to its single attempt.
	client := notionapi.NewClient(notionapi.Token(o.Token), notionapi.WithHTTPClient(hc), notionapi.WithRetry(1))
	return &Source{client: client, images: o.ImageStore}, nil
}

// Fetch reads the page id (a page ID, with or without dashes, or its URL)
// and all of its blocks.
func (s *Source) Fetch(ctx context.Context, id string) (content.Document, error) {
	pid, err := pageID(id)
	if err != nil {
		return content.Document{}, err
	}
	page, err := s.page(ctx, pid)
	if err != nil {
		return content.Document{}, s.classify(pid, "read the page", err)
	}
	f := &fetcher{s: s, pageID: pid, titles: map[notionapi.PageID]string{}}
	tree, err := f.children(ctx, notionapi.BlockID(pid), 0)
	if err != nil {
		return content.Document{}, err
	}
	c := &converter{ctx: ctx, store: s.images, pageID: pid, titles: f.titles, warnings: f.warnings}
	return c.document(page, tree, pid), nil
}

// document converts a page's block tree; the converter already holds the
// warnings of reading it.
func (c *converter) document(page *notionapi.Page, tree []*node, id string) content.Document {
	doc := content.Document{Title: pageTitle(page), Blocks: c.blocks(tree)}
	var langWarning string
	doc.Lang, langWarning = pageLang(page)
	if langWarning != "" {
		c.warnings = append(c.warnings, langWarning)
	}
	doc.Warnings = c.warnings
	if doc.Blocks == nil {
		doc.Blocks = []content.Block{}
	}
	if !page.LastEditedTime.IsZero() {
		doc.Revision = page.LastEditedTime.UTC().Format(time.RFC3339)
	}
	if id != "" {
		doc.Source = sources.KindNotion + ":" + id
	}
	doc.Warnings = append(doc.Warnings, linkcheck.Warnings(doc)...)
	cleantext.Document(&doc)
	return doc
}

func (s *Source) page(ctx context.Context, id string) (*notionapi.Page, error) {
	var page *notionapi.Page
	err := s.call(ctx, false, func(ctx context.Context) error {
		var err error
		page, err = s.client.Page.Get(ctx, notionapi.PageID(id))
		return err
	})
	return page, err
}

// pageTitle returns the text of the page's title property.
func pageTitle(p *notionapi.Page) string {
	for _, prop := range p.Properties {
		if t, ok := prop.(*notionapi.TitleProperty); ok {
			var b strings.Builder
			for _, rt := range t.Title {
				b.WriteString(rt.PlainText)
			}
			return strings.TrimSpace(b.String())
		}
	}
	return ""
}

// pageID accepts a page ID with or without dashes, or a page URL whose last
// path segment ends with the ID, and returns the dashed form.
func pageID(ref string) (string, error) {
	s := strings.TrimSpace(ref)
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		s = u.Path[strings.LastIndex(u.Path, "/")+1:]
	}
	hex := strings.ToLower(strings.ReplaceAll(s, "-", ""))
	if len(hex) >= 32 {
		hex = hex[len(hex)-32:]
	}
	if len(hex) != 32 || strings.Trim(hex, "0123456789abcdef") != "" {
		return "", fmt.Errorf("notion page %q: %w: not a page ID; use the 32-character ID at the end of the page's URL", ref, sources.ErrNotFound)
	}
	return hex[:8] + "-" + hex[8:12] + "-" + hex[12:16] + "-" + hex[16:20] + "-" + hex[20:], nil
}
