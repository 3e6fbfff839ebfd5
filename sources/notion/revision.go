package notion

import (
	"context"
	"fmt"
	"time"

	"github.com/halcytone/contentgen/sources"
)

var _ sources.Reviser = (*Source)(nil)

// PageID returns the dashed page ID of ref (an ID with or without dashes,
// or the page's URL), the form Notion's webhooks name pages in.
func PageID(ref string) (string, error) { return pageID(ref) }

// Revision returns the page's last_edited_time (RFC 3339, UTC) from one
// "retrieve a page" request, without reading its blocks. It is the
// revision Fetch gives the document. Notion rounds the time down to the
// minute, so two edits within one minute share a revision.
func (s *Source) Revision(ctx context.Context, id string) (string, error) {
	pid, err := pageID(id)
	if err != nil {
		return "", err
	}
	page, err := s.page(ctx, pid)
	if err != nil {
		return "", s.classify(pid, "read the page", err)
	}
	if page.LastEditedTime.IsZero() {
		return "", fmt.Errorf("notion page %s: %w: the page has no last_edited_time", pid, sources.ErrInvalid)
	}
	return page.LastEditedTime.UTC().Format(time.RFC3339), nil
}
