// Package platform holds the Platform contract types (shared by the client in
// this package and the reference server in platform/server), and the client.
package platform

import (
	"time"

	"github.com/halcytone/contentgen/content"
)

// API paths.
const (
	PathUpdates = "/api/v1/updates"
	PathStats   = "/api/v1/stats"
)

// UpdateRequest is the body of POST /api/v1/updates.
type UpdateRequest struct {
	Slug           string   `json:"slug"`
	Title          string   `json:"title"`
	Summary        string   `json:"summary"`
	BodyHTML       string   `json:"body_html"`
	BodyMarkdown   string   `json:"body_markdown"`
	Tags           []string `json:"tags,omitempty"`
	Edition        string   `json:"edition"`
	SourceRevision string   `json:"source_revision,omitempty"`
	// Sections record what the edition was made of, so the next run can
	// tell approvers which sections are new, changed or removed.
	Sections []content.SectionPrint `json:"sections,omitempty"`
}

// CreateResponse is the 201 (new) or 200 (already published) reply.
type CreateResponse struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	URL  string `json:"url"`
}

// Update is a published update.
type Update struct {
	ID             int64    `json:"id"`
	Slug           string   `json:"slug"`
	URL            string   `json:"url"`
	Title          string   `json:"title"`
	Summary        string   `json:"summary"`
	BodyHTML       string   `json:"body_html"`
	BodyMarkdown   string   `json:"body_markdown"`
	Tags           []string `json:"tags,omitempty"`
	Edition        string   `json:"edition"`
	SourceRevision string   `json:"source_revision,omitempty"`
	// Sections are returned only to requests carrying an API key: they
	// hold the text of every section, those for some segments included.
	Sections    []content.SectionPrint `json:"sections,omitempty"`
	PublishedAt time.Time              `json:"published_at"`
}

// UpdateList is the reply to GET /api/v1/updates (newest first;
// ?limit=N&before=<id> pages back).
type UpdateList struct {
	Updates []Update `json:"updates"`
}

// Stat is one usage figure the newsletter may quote.
type Stat struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// StatsResponse is the reply to GET /api/v1/stats.
type StatsResponse struct {
	Stats []Stat    `json:"stats"`
	AsOf  time.Time `json:"as_of"`
}
