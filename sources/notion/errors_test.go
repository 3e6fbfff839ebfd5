package notion

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/sources"
)

func TestNewNeedsToken(t *testing.T) {
	_, err := New(Options{Token: "  "})
	if !errors.Is(err, sources.ErrAuth) || !strings.Contains(err.Error(), "NOTION_TOKEN") || !strings.Contains(err.Error(), "share the page") {
		t.Errorf("err = %v, want ErrAuth naming NOTION_TOKEN and sharing the page", err)
	}
}

func TestFetchErrors(t *testing.T) {
	pagePath := "/v1/pages/" + weeklyID
	childrenPath := "/v1/blocks/" + weeklyID + "/children"
	throttled := reply{status: 429, header: http.Header{"Retry-After": {"0"}},
		body: notionError(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.")}
	tests := []struct {
		name     string
		token    string
		id       string
		script   map[string][]reply
		sentinel error
		mentions []string
	}{
		{name: "invalid token", token: "ntn_revoked", sentinel: sources.ErrAuth,
			mentions: []string{weeklyID, "NOTION_TOKEN", "API token is invalid"}},
		{name: "page not shared or missing", id: "0f3c5e7a9b1d4c2e8f6a0b2c4d6e8f0a", sentinel: sources.ErrNotFound,
			mentions: []string{"0f3c5e7a-9b1d-4c2e-8f6a-0b2c4d6e8f0a", "share the page with the integration"}},
		{name: "restricted", sentinel: sources.ErrPermission,
			script:   map[string][]reply{pagePath: {{status: 403, body: notionError(403, "restricted_resource", "Insufficient permissions for this endpoint.")}}},
			mentions: []string{weeklyID, "Read content capability", "share the page"}},
		{name: "children not shared", sentinel: sources.ErrNotFound,
			script:   map[string][]reply{childrenPath: {{status: 404, body: notionError(404, "object_not_found", "Could not find block.")}}},
			mentions: []string{weeklyID, "children of block " + weeklyID}},
		{name: "bad request", sentinel: sources.ErrInvalid,
			script:   map[string][]reply{pagePath: {{status: 400, body: notionError(400, "validation_error", "path.page_id should be a valid uuid")}}},
			mentions: []string{weeklyID, "valid uuid"}},
		{name: "rate limited after retries",
			script:   map[string][]reply{pagePath: {throttled, throttled, throttled, throttled}},
			mentions: []string{weeklyID, "rate limiting", "try again later"}},
		{name: "server error",
			script:   map[string][]reply{childrenPath: {{status: 500, body: notionError(500, "internal_server_error", "Unexpected error occurred.")}}},
			mentions: []string{weeklyID, "500", "try again later"}},
		{name: "gateway error page",
			script: map[string][]reply{pagePath: {{status: 502, header: http.Header{"Content-Type": {"text/html"}},
				body: "<html><body>502 Bad Gateway</body></html>"}}},
			mentions: []string{weeklyID, "502 Bad Gateway", "try again later"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNotion(t)
			for path, replies := range tt.script {
				f.script(path, replies...)
			}
			o := f.options()
			if tt.token != "" {
				o.Token = tt.token
			}
			id := tt.id
			if id == "" {
				id = weeklyID
			}
			_, err := newSource(t, o).Fetch(context.Background(), id)
			if err == nil {
				t.Fatal("Fetch succeeded")
			}
			for _, s := range []error{sources.ErrAuth, sources.ErrNotFound, sources.ErrPermission, sources.ErrInvalid} {
				if got := errors.Is(err, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = %v; err = %v", s, got, err)
				}
			}
			for _, m := range tt.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestRateLimitedThenSucceeds(t *testing.T) {
	f := newFakeNotion(t)
	f.script("/v1/blocks/"+weeklyID+"/children", reply{status: 429, header: http.Header{"Retry-After": {"1"}},
		body: notionError(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.")})
	start := time.Now()
	doc := fetch(t, f.options(), weeklyID)
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("succeeded after %v, before the 1s Retry-After", elapsed)
	}
	if doc.Title != "Halcytone Weekly 48" || len(doc.Blocks) == 0 {
		t.Errorf("title %q with %d blocks, want the page", doc.Title, len(doc.Blocks))
	}
	if n := count(f.log(), "/v1/blocks/"+weeklyID+"/children"); n != 2 {
		t.Errorf("page children requested %d times, want 2", n)
	}
}
