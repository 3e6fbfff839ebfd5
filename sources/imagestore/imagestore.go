// Package imagestore keeps copies of images whose source URLs expire: a
// Google Docs contentUri lives about 30 minutes, a Notion-hosted file URL
// one hour, while an edition's email is read for weeks.
package imagestore

import (
	"context"
	"fmt"
)

// Store copies an image and returns a URL that stays valid.
type Store interface {
	// Store copies the image at sourceURL. name is a stable, readable name
	// for the copy chosen by the source (e.g. document and object ID); a
	// store may add to it (a content hash) but keeps it recognisable.
	Store(ctx context.Context, sourceURL, name string) (stableURL string, err error)
}

// Keep returns the URL an edition should use for a file whose sourceURL
// expires after lifetime (e.g. "about 30 minutes"). With a store it is the
// stable copy; without one, or when copying fails, it is sourceURL and the
// second result is a warning for Document.Warnings. what names the file for
// the editor, e.g. `image kix.abc in Google Docs document 1AbC`.
func Keep(ctx context.Context, s Store, sourceURL, name, what, lifetime string) (string, string) {
	if s == nil {
		return sourceURL, fmt.Sprintf("%s: its URL expires %s after the fetch and no image store is configured; "+
			"set IMAGE_STORE_DIR and IMAGE_BASE_URL on the worker so editions keep a copy", what, lifetime)
	}
	stable, err := s.Store(ctx, sourceURL, name)
	if err != nil {
		return sourceURL, fmt.Sprintf("%s: copying it to the image store failed, so the edition links the original URL, "+
			"which expires %s after the fetch: %v", what, lifetime, err)
	}
	return stable, ""
}
