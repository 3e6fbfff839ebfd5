package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// FetchInput names the document to fetch.
type FetchInput struct {
	Source string `json:"source"`
}

// FetchDocument fetches the living document.
func (a *Activities) FetchDocument(ctx context.Context, in FetchInput) (content.Document, error) {
	ref, err := sources.ParseRef(in.Source)
	if err != nil {
		return content.Document{}, nonRetryable(ErrTypeBadSource, err)
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

// ParseInput is a fetched document to group into sections.
type ParseInput struct {
	Document content.Document `json:"document"`
}

// ParseDocument groups the document into sections by the worker's taxonomy.
func (a *Activities) ParseDocument(ctx context.Context, in ParseInput) (content.Parsed, error) {
	p, err := content.Parse(in.Document, a.Taxonomy)
	if err != nil {
		return content.Parsed{}, nonRetryable(ErrTypeNoSections, fmt.Errorf("parse %s: %w", in.Document.Source, err))
	}
	return p, nil
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

// DetectChanges compares the parsed document with the sections recorded by
// the last update published on the Platform.
func (a *Activities) DetectChanges(ctx context.Context, in DetectInput) (DetectResult, error) {
	ctx = withRunCorrelation(ctx)
	if in.ParsedRef != nil {
		p, err := a.loadParsed(ctx, *in.ParsedRef)
		if err != nil {
			return DetectResult{}, err
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

func (a *Activities) detect(ctx context.Context, in DetectInput) (DetectResult, error) {
	last, ok, err := a.Platform.LatestUpdate(ctx)
	if err != nil {
		return DetectResult{}, classifyHTTP("read last published edition", ErrTypePlatformRejected, err)
	}
	if !ok {
		return DetectResult{Changes: content.Compare(nil, in.Parsed)}, nil
	}
	changes := content.Compare(last.Sections, in.Parsed)
	return DetectResult{
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
		return nil, classifyHTTP("read platform stats", ErrTypePlatformRejected, err)
	}
	out := make([]render.Stat, 0, len(stats))
	for _, s := range stats {
		out = append(out, render.Stat{Label: s.Label, Value: s.Value, Unit: s.Unit})
	}
	return out, nil
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

// RenderEdition renders every channel and stamps the content revision
// that approvals are bound to.
func (a *Activities) RenderEdition(ctx context.Context, in RenderInput) (render.Output, error) {
	out, err := a.Renderer.Render(in.Parsed, render.Edition{ID: in.Edition, Date: in.Date, WebBaseURL: a.WebBaseURL, Stats: in.Stats, Accepted: in.Accepted})
	if err != nil {
		return render.Output{}, nonRetryable(ErrTypeRender, fmt.Errorf("render edition %s: %w", in.Edition, err))
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
