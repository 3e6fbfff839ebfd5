package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// PublishUpdate publishes the web update on the Platform.
func (a *Activities) PublishUpdate(ctx context.Context, in activitytypes.PublishInput) (activitytypes.PublishResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.WorkflowID)
	if in.WebRef != nil {
		if err := a.Artifacts.GetJSON(ctx, *in.WebRef, &in.Web); err != nil {
			return activitytypes.PublishResult{}, artifactError(err)
		}
	}
	if in.ParsedRef != nil {
		p, err := a.loadParsed(ctx, *in.ParsedRef)
		if err != nil {
			return activitytypes.PublishResult{}, err
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
		return activitytypes.PublishResult{}, nonRetryable(activitytypes.ErrTypePlatformRejected, fmt.Errorf(
			"publish update %s: %w; this edition was already published with other content, so start the new content as a new edition", in.Web.Slug, err))
	}
	if err != nil {
		return activitytypes.PublishResult{}, classifyHTTP(fmt.Sprintf("publish update %s", in.Web.Slug), activitytypes.ErrTypePlatformRejected, err)
	}
	return activitytypes.PublishResult(resp), nil
}
