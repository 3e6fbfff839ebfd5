package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
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

// PublishUpdate publishes the web update on the Platform.
func (a *Activities) PublishUpdate(ctx context.Context, in PublishInput) (platform.CreateResponse, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.WorkflowID)
	if in.WebRef != nil {
		if err := a.Artifacts.GetJSON(ctx, *in.WebRef, &in.Web); err != nil {
			return platform.CreateResponse{}, artifactError(err)
		}
	}
	if in.ParsedRef != nil {
		p, err := a.loadParsed(ctx, *in.ParsedRef)
		if err != nil {
			return platform.CreateResponse{}, err
		}
		in.Sections = p.Prints()
	}
	req := platform.UpdateRequest{
		Slug: in.Web.Slug, Title: in.Web.Title, Summary: in.Web.Summary,
		BodyHTML: in.Web.HTML, BodyMarkdown: in.Web.Markdown, Tags: in.Web.Tags,
		Edition: in.Edition, SourceRevision: in.Revision, Sections: in.Sections,
	}
	resp, err := a.Platform.CreateUpdate(ctx, in.WorkflowID+":publish", req)
	if errors.Is(err, platform.ErrSlugConflict) {
		return platform.CreateResponse{}, nonRetryable(ErrTypePlatformRejected, fmt.Errorf(
			"publish update %s: %w; this edition was already published with other content, so start the new content as a new edition", in.Web.Slug, err))
	}
	if err != nil {
		return platform.CreateResponse{}, classifyHTTP(fmt.Sprintf("publish update %s", in.Web.Slug), ErrTypePlatformRejected, err)
	}
	return resp, nil
}
