package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// FetchDocument fetches the living document.
func (a *Activities) FetchDocument(ctx context.Context, in activitytypes.FetchInput) (content.Document, error) {
	ref, err := sources.ParseRef(in.Source)
	if err != nil {
		return content.Document{}, nonRetryable(activitytypes.ErrTypeBadSource, err)
	}
	activity.GetLogger(ctx).Info("fetching document", "source", ref.String())
	doc, err := a.Sources.Fetch(ctx, ref)
	if err != nil {
		return content.Document{}, classifySource(err)
	}
	if err := checkSize("document "+ref.String(), doc); err != nil {
		return content.Document{}, err
	}
	return doc, nil
}

// ParseDocument groups the document into sections by the worker's taxonomy.
func (a *Activities) ParseDocument(ctx context.Context, in activitytypes.ParseInput) (content.Parsed, error) {
	p, err := content.Parse(in.Document, a.Taxonomy)
	if err != nil {
		return content.Parsed{}, nonRetryable(activitytypes.ErrTypeNoSections, fmt.Errorf("parse %s: %w", in.Document.Source, err))
	}
	return p, nil
}

// DetectChanges compares the parsed document with the sections recorded by
// the last update published on the Platform.
func (a *Activities) DetectChanges(ctx context.Context, in activitytypes.DetectInput) (activitytypes.DetectResult, error) {
	ctx = withRunCorrelation(ctx)
	if in.ParsedRef != nil {
		p, err := a.loadParsed(ctx, *in.ParsedRef)
		if err != nil {
			return activitytypes.DetectResult{}, err
		}
		in.Parsed = p
		res, err := a.detect(ctx, in)
		if len(res.Changes) > maxListed {
			res.ChangesTotal, res.Changes = len(res.Changes), res.Changes[:maxListed]
		}
		return res, err
	}
	return a.detect(ctx, in)
}

func (a *Activities) detect(ctx context.Context, in activitytypes.DetectInput) (activitytypes.DetectResult, error) {
	last, ok, err := a.Platform.LatestUpdate(ctx)
	if err != nil {
		return activitytypes.DetectResult{}, classifyHTTP("read last published edition", activitytypes.ErrTypePlatformRejected, err)
	}
	if !ok {
		return activitytypes.DetectResult{Changes: content.Compare(nil, in.Parsed)}, nil
	}
	changes := content.Compare(last.Sections, in.Parsed)
	return activitytypes.DetectResult{
		PreviousEdition: last.Edition,
		Unchanged:       len(changes) == 0 && len(last.Sections) > 0,
		Changes:         changes,
	}, nil
}

// FetchStats reads the Platform's usage figures for the "by the numbers"
// block. No figures is an empty result, not an error.
func (a *Activities) FetchStats(ctx context.Context) ([]render.Stat, error) {
	ctx = withRunCorrelation(ctx)
	stats, err := a.Platform.Stats(ctx)
	if err != nil {
		return nil, classifyHTTP("read platform stats", activitytypes.ErrTypePlatformRejected, err)
	}
	out := make([]render.Stat, 0, len(stats))
	for _, s := range stats {
		out = append(out, render.Stat{Label: s.Label, Value: s.Value, Unit: s.Unit})
	}
	return out, nil
}

// RenderEdition renders every channel and stamps the content revision
// that approvals are bound to.
func (a *Activities) RenderEdition(ctx context.Context, in activitytypes.RenderInput) (render.Output, error) {
	out, err := a.Renderer.Render(in.Parsed, render.Edition{ID: in.Edition, Date: in.Date, WebBaseURL: a.WebBaseURL, Stats: in.Stats, Accepted: in.Accepted})
	if err != nil {
		return render.Output{}, nonRetryable(activitytypes.ErrTypeRender, fmt.Errorf("render edition %s: %w", in.Edition, err))
	}
	out.Revision = render.Digest(out)
	if err := checkSize("rendered edition "+in.Edition, out); err != nil {
		return render.Output{}, err
	}
	return out, nil
}

// withRunCorrelation tags outgoing requests with the run's workflow ID.
func withRunCorrelation(ctx context.Context) context.Context {
	return httpapi.WithCorrelationID(ctx, activity.GetInfo(ctx).WorkflowExecution.ID)
}

// errTooLarge is returned for results that would not fit in a Temporal payload.
var errTooLarge = errors.New("too large for workflow history")
