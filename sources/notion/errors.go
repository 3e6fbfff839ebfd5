package notion

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/sources"
)

const shareFix = "share the page with the integration (page ••• menu → Connections → add it)"

// classify maps a failed call to the sources sentinels. Throttling, server
// errors and network failures keep their cause and no sentinel, so callers
// retry them.
func (s *Source) classify(pageID, op string, err error) error {
	status := 0
	var ce *callError
	if errors.As(err, &ce) {
		status = ce.status
	}
	var nerr *notionapi.Error
	if errors.As(err, &nerr) && nerr.Status != 0 {
		status = nerr.Status
	}
	var limited *notionapi.RateLimitedError
	prefix := fmt.Sprintf("notion page %s: %s", pageID, op)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", prefix, err)
	case errors.As(err, &limited) || status == http.StatusTooManyRequests:
		return fmt.Errorf("%s: Notion is rate limiting the integration, try again later: %w", prefix, err)
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%s: %w: Notion refused the token; set NOTION_TOKEN to the integration's secret and %s: %w",
			prefix, sources.ErrAuth, shareFix, err)
	case status == http.StatusForbidden:
		return fmt.Errorf("%s: %w: give the integration the Read content capability and %s: %w",
			prefix, sources.ErrPermission, shareFix, err)
	case status == http.StatusNotFound:
		return fmt.Errorf("%s: %w: check the page ID and %s: %w", prefix, sources.ErrNotFound, shareFix, err)
	case status == http.StatusConflict || status >= 500 || status == 0:
		return fmt.Errorf("%s: Notion answered %s, try again later: %w", prefix, statusText(status), err)
	case status == http.StatusOK:
		return fmt.Errorf("%s: %w: Notion's answer could not be decoded: %w", prefix, sources.ErrInvalid, err)
	default:
		return fmt.Errorf("%s: %w: Notion refused the request: %w", prefix, sources.ErrInvalid, err)
	}
}

func statusText(status int) string {
	if status == 0 {
		return "nothing (network error)"
	}
	return fmt.Sprintf("%d %s", status, http.StatusText(status))
}
