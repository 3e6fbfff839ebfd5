package activitytypes

import (
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// PublishInput is the web update of an edition.
type PublishInput struct {
	// WorkflowID keys the request, so a retried publish is one update.
	WorkflowID string                 `json:"workflow_id"`
	Edition    string                 `json:"edition"`
	Revision   string                 `json:"revision,omitempty"`
	Web        render.WebUpdate       `json:"web"`
	Sections   []content.SectionPrint `json:"sections,omitempty"`
	// WebRef and ParsedRef, when set, name the web update and the parsed
	// document (whose section prints are recorded) in the artifact store.
	WebRef    *artifact.Ref `json:"web_ref,omitempty"`
	ParsedRef *artifact.Ref `json:"parsed_ref,omitempty"`
}

// PublishResult is the published update: the Platform's reply.
type PublishResult struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	URL  string `json:"url"`
}
