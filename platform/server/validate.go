package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// Limits on an update request.
const (
	MaxSlugLen     = 120
	MaxTitleLen    = 300
	MaxSummaryLen  = 2000
	MaxEditionLen  = 64
	MaxRevisionLen = 200
	MaxTags        = 20
	MaxTagLen      = 50
	MaxSections    = 100
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// validate checks req and returns what is wrong with the first bad field,
// or nil.
func validate(req *platform.UpdateRequest) *httpapi.ErrorDetail {
	bad := func(field, format string, args ...any) *httpapi.ErrorDetail {
		return &httpapi.ErrorDetail{Code: "invalid_field", Field: field, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case req.Slug == "":
		return bad("slug", "slug is required")
	case len(req.Slug) > MaxSlugLen:
		return bad("slug", "slug is %d characters long; at most %d are allowed", len(req.Slug), MaxSlugLen)
	case !slugPattern.MatchString(req.Slug):
		return bad("slug", "slug %q must be lowercase letters and digits in words joined by single hyphens, like 2026-w48-weekly", req.Slug)
	case strings.TrimSpace(req.Title) == "":
		return bad("title", "title is required")
	case utf8.RuneCountInString(req.Title) > MaxTitleLen:
		return bad("title", "title is longer than %d characters", MaxTitleLen)
	case utf8.RuneCountInString(req.Summary) > MaxSummaryLen:
		return bad("summary", "summary is longer than %d characters", MaxSummaryLen)
	case strings.TrimSpace(req.BodyHTML) == "":
		return bad("body_html", "body_html is required")
	case strings.TrimSpace(req.Edition) == "":
		return bad("edition", "edition is required, e.g. 2026-W48")
	case len(req.Edition) > MaxEditionLen:
		return bad("edition", "edition is longer than %d characters", MaxEditionLen)
	case len(req.SourceRevision) > MaxRevisionLen:
		return bad("source_revision", "source_revision is longer than %d characters", MaxRevisionLen)
	case len(req.Tags) > MaxTags:
		return bad("tags", "%d tags; at most %d are allowed", len(req.Tags), MaxTags)
	case len(req.Sections) > MaxSections:
		return bad("sections", "%d sections; at most %d are allowed", len(req.Sections), MaxSections)
	}
	for i, tag := range req.Tags {
		if strings.TrimSpace(tag) == "" || utf8.RuneCountInString(tag) > MaxTagLen {
			return bad(fmt.Sprintf("tags[%d]", i), "tag %q must be 1 to %d characters", tag, MaxTagLen)
		}
	}
	return nil
}

// contentHash identifies what readers see of an update, so a repeated
// publish can be told from a changed one. Sections are left out: they
// describe the source, not the published text.
func contentHash(req *platform.UpdateRequest) string {
	tags := req.Tags
	if tags == nil {
		tags = []string{}
	}
	return digest([]any{req.Title, req.Summary, req.BodyHTML, req.BodyMarkdown, tags, req.Edition, req.SourceRevision})
}

// requestDigest identifies a whole request body independently of its JSON
// spelling (key order, whitespace).
func requestDigest(req *platform.UpdateRequest) string {
	return digest(req)
}

func digest(v any) string {
	// Marshal cannot fail: v holds only strings and slices of them.
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
