package gdocs

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cloud.google.com/go/auth"
	"google.golang.org/api/googleapi"

	"github.com/halcytone/contentgen/sources"
)

// classify maps a failed documents.get to the sources sentinels. Throttling,
// server errors and network failures keep their cause and no sentinel, so
// callers retry them.
func (s *Source) classify(docID string, err error) error {
	who := "the service account's client_email"
	if s.account != "" {
		who = s.account
	}
	var tokenErr *auth.Error
	if errors.As(err, &tokenErr) && tokenErr.Response != nil {
		if code := tokenErr.Response.StatusCode; code == http.StatusBadRequest || code == http.StatusUnauthorized {
			return fmt.Errorf("google docs document %s: %w: the token endpoint refused the key: %s: %w",
				docID, sources.ErrAuth, authFix, err)
		}
		return fmt.Errorf("google docs document %s: getting an access token failed: %w", docID, err)
	}
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return fmt.Errorf("google docs document %s: %w", docID, err)
	}
	switch {
	case gerr.Code == http.StatusTooManyRequests || gerr.Code >= 500 || rateLimited(gerr):
		return fmt.Errorf("google docs document %s: Google answered %d, try again later: %w", docID, gerr.Code, gerr)
	case gerr.Code == http.StatusUnauthorized:
		return fmt.Errorf("google docs document %s: %w: %s: %w", docID, sources.ErrAuth, authFix, gerr)
	case gerr.Code == http.StatusForbidden:
		return fmt.Errorf("google docs document %s: %w: share the document with %s (Viewer is enough) "+
			"and make sure the Google Docs API is enabled in the key's project: %w", docID, sources.ErrPermission, who, gerr)
	case gerr.Code == http.StatusNotFound:
		return fmt.Errorf("google docs document %s: %w: check the ID (the part of the URL between /d/ and /edit) "+
			"and that the document is shared with %s: %w", docID, sources.ErrNotFound, who, gerr)
	default:
		return fmt.Errorf("google docs document %s: %w: Google refused the request: %w", docID, sources.ErrInvalid, gerr)
	}
}

// rateLimited spots quota errors Google reports as 403.
func rateLimited(gerr *googleapi.Error) bool {
	for _, item := range gerr.Errors {
		if strings.Contains(strings.ToLower(item.Reason), "ratelimitexceeded") {
			return true
		}
	}
	return strings.Contains(gerr.Body, "RATE_LIMIT_EXCEEDED")
}
