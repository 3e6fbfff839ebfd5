package gdocs

import (
	"context"
	"encoding/json"
	"fmt"

	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// ConvertJSON converts a documents.get answer, as the Docs API returns it
// (with includeTabsContent=true, or the legacy body of a document without
// tabs), into a document exactly as Fetch would, but without any I/O:
// images keep their expiring contentUri URLs, with a warning. JSON that is
// not a document fails, wrapping sources.ErrInvalid.
func ConvertJSON(data []byte) (content.Document, error) {
	var d docs.Document
	if err := json.Unmarshal(data, &d); err != nil {
		return content.Document{}, fmt.Errorf("convert google docs document: %w: malformed documents.get JSON: %w", sources.ErrInvalid, err)
	}
	doc := convert(context.Background(), &d, nil)
	if d.DocumentId != "" {
		doc.Source = sources.KindGDocs + ":" + d.DocumentId
	}
	return doc, nil
}
