package platform

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/halcytone/contentgen/httpapi"
)

// PathViews is where an edition's web reads are read (GET ?edition=E, API
// key required).
const PathViews = "/api/v1/views"

// Views counts the reads of one update's page. Visitors are counted
// without cookies and without storing addresses: a visitor is a hash of
// the day's salt, the address and the user agent, kept only for that day,
// so one person reading on two days counts as two unique visitors.
type Views struct {
	Edition        string    `json:"edition"`
	Slug           string    `json:"slug"`
	Views          int       `json:"views"`
	UniqueVisitors int       `json:"unique_visitors"`
	Days           []ViewDay `json:"days"`
}

// ViewDay is the reads of one UTC day (YYYY-MM-DD).
type ViewDay struct {
	Day            string `json:"day"`
	Views          int    `json:"views"`
	UniqueVisitors int    `json:"unique_visitors"`
}

// Views returns the web reads of edition's update; an edition with no
// update is an error wrapping ErrNotFound.
func (c *Client) Views(ctx context.Context, edition string) (Views, error) {
	var v Views
	path := PathViews + "?" + url.Values{"edition": {edition}}.Encode()
	err := c.http.Do(ctx, "platform views of "+edition, http.MethodGet, path, nil, nil, &v)
	if se, ok := httpapi.AsStatusError(err); ok && se.StatusCode == http.StatusNotFound {
		return v, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return v, err
}
