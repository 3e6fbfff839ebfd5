package gdocs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/halcytone/contentgen/sources"
)

var _ sources.Reviser = (*Source)(nil)

// DocumentID returns the document ID of id (an ID or a docs.google.com
// URL), so two spellings of one document name the same watcher.
func DocumentID(id string) (string, error) { return documentID(id) }

// Revision returns the document's revisionId, asking documents.get for
// that field alone. The API fills revisionId only for accounts that may
// edit the document; for a Viewer it is empty, and the revision is then
// "sha256:" and a digest of the whole document as the API returns it.
func (s *Source) Revision(ctx context.Context, id string) (string, error) {
	docID, err := documentID(id)
	if err != nil {
		return "", err
	}
	d, err := s.docs.Documents.Get(docID).Fields("revisionId").Context(ctx).Do()
	if err != nil {
		return "", s.classify(docID, err)
	}
	if d.RevisionId != "" {
		return d.RevisionId, nil
	}
	full, err := s.docs.Documents.Get(docID).
		SuggestionsViewMode("PREVIEW_WITHOUT_SUGGESTIONS").
		IncludeTabsContent(true).
		Context(ctx).
		Do()
	if err != nil {
		return "", s.classify(docID, err)
	}
	b, err := json.Marshal(full)
	if err != nil {
		return "", fmt.Errorf("google docs document %s: digest: %w", docID, err)
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
