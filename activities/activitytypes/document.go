package activitytypes

import (
	"time"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// FetchInput names the document to fetch.
type FetchInput struct {
	Source string `json:"source"`
}

// ParseInput is a fetched document to group into sections.
type ParseInput struct {
	Document content.Document `json:"document"`
}

// DetectInput is the parsed document to compare with the last edition.
type DetectInput struct {
	Edition string         `json:"edition"`
	Parsed  content.Parsed `json:"parsed"`
	// ParsedRef, when set, names the parsed document in the artifact
	// store instead of Parsed.
	ParsedRef *artifact.Ref `json:"parsed_ref,omitempty"`
}

// DetectResult says how the document differs from the last published
// edition. Unchanged is true only when there is a previous edition and no
// section differs.
type DetectResult struct {
	PreviousEdition string                  `json:"previous_edition,omitempty"`
	Unchanged       bool                    `json:"unchanged"`
	Changes         []content.SectionChange `json:"changes,omitempty"`
	// ChangesTotal, when set, is how many changes there were before
	// Changes was cut short.
	ChangesTotal int `json:"changes_total,omitempty"`
}

// RenderInput is everything a render needs.
type RenderInput struct {
	Parsed  content.Parsed `json:"parsed"`
	Edition string         `json:"edition"`
	Date    time.Time      `json:"date"`
	Stats   []render.Stat  `json:"stats,omitempty"`
	// Accepted are the suggestions approvers accepted, in place of the
	// derived texts.
	Accepted render.Overrides `json:"accepted,omitzero"`
}
