package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// maxListed bounds the lists a summary carries into history (sections,
// changes, warnings); the artifacts hold everything.
const maxListed = 64

// FetchAndParse fetches the living document, groups it into sections and
// stores both in the artifact store.
func (a *Activities) FetchAndParse(ctx context.Context, in activitytypes.DocumentInput) (activitytypes.DocumentSummary, error) {
	sum, _, err := a.fetchAndParse(ctx, in)
	return sum, err
}

// fetchAndParse is FetchAndParse, also returning the parsed document.
func (a *Activities) fetchAndParse(ctx context.Context, in activitytypes.DocumentInput) (activitytypes.DocumentSummary, content.Parsed, error) {
	var sum activitytypes.DocumentSummary
	ref, err := sources.ParseRef(in.Source)
	if err != nil {
		return sum, content.Parsed{}, nonRetryable(activitytypes.ErrTypeBadSource, err)
	}
	activity.GetLogger(ctx).Info("fetching document", "source", ref.String())
	doc, err := a.Sources.Fetch(ctx, ref)
	if err != nil {
		return sum, content.Parsed{}, classifySource(err)
	}
	p, err := content.Parse(doc, a.Taxonomy)
	if err != nil {
		return sum, p, nonRetryable(activitytypes.ErrTypeNoSections, fmt.Errorf("parse %s: %w", doc.Source, err))
	}
	if sum.Document, err = a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaDocument, doc); err != nil {
		return sum, p, fmt.Errorf("store document %s: %w", ref, err)
	}
	if sum.Parsed, err = a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaParsed, p); err != nil {
		return sum, p, fmt.Errorf("store parsed document %s: %w", ref, err)
	}
	sum.Title, sum.Revision, sum.Fingerprint = p.Title, p.Revision, p.Fingerprint
	sum.SectionTotal = len(p.Sections)
	for _, s := range p.Sections[:min(len(p.Sections), maxListed)] {
		sum.Sections = append(sum.Sections, activitytypes.SectionInfo{Heading: s.Heading, Category: s.Category, Segments: s.Segments})
	}
	sum.Unknown = bounded(p.Unknown, "more sections match no category")
	sum.Warnings = bounded(p.Warnings, "more warnings; 'starter render' lists them all")
	return sum, p, nil
}

// prepareHeartbeat is how often PrepareEdition tells the server it is
// alive; the workflow's heartbeat timeout for it is a few times longer.
const prepareHeartbeat = 10 * time.Second

// PrepareEdition fetches and parses the document, compares it with the
// last edition, reads the usage figures and renders every channel into
// the artifact store: one activity, so an edition and each refresh add
// few events to history. The document is parsed once and not read back.
func (a *Activities) PrepareEdition(ctx context.Context, in activitytypes.PrepareInput) (activitytypes.PrepareResult, error) {
	defer heartbeatEvery(ctx, prepareHeartbeat, nil)()
	var res activitytypes.PrepareResult
	doc, p, err := a.fetchAndParse(ctx, activitytypes.DocumentInput{Source: in.Source, Edition: in.Edition})
	if err != nil {
		return res, err
	}
	res.Document, res.AIOff = doc, a.AI == nil
	res.Rendered, err = a.renderParsed(ctx, p, activitytypes.RenderArtifactsInput{Parsed: doc.Parsed, Edition: in.Edition, Date: in.Date, WithStats: true, WithDetect: true, Reapply: in.Reapply, Social: in.Social})
	return res, err
}

// bounded keeps the first maxListed entries and says how many were left.
func bounded(list []string, more string) []string {
	if len(list) <= maxListed {
		return list
	}
	return append(list[:maxListed:maxListed], fmt.Sprintf("… and %d %s", len(list)-maxListed, more))
}

// loadParsed reads a parsed document from the store.
func (a *Activities) loadParsed(ctx context.Context, ref artifact.Ref) (content.Parsed, error) {
	var p content.Parsed
	if err := a.Artifacts.GetJSON(ctx, ref, &p); err != nil {
		return p, artifactError(err)
	}
	return p, nil
}

// artifactError makes a store read failure non-retryable: the artifact is
// gone or altered, and waiting does not change that.
func artifactError(err error) error {
	var ae *artifact.Error
	if errors.As(err, &ae) {
		return nonRetryable(activitytypes.ErrTypeArtifact, err)
	}
	return err
}

// RenderEditionArtifacts renders every channel of a stored parsed document
// and stores each email variant, the web update and the manifest.
func (a *Activities) RenderEditionArtifacts(ctx context.Context, in activitytypes.RenderArtifactsInput) (activitytypes.RenderSummary, error) {
	p, err := a.loadParsed(ctx, in.Parsed)
	if err != nil {
		return activitytypes.RenderSummary{}, err
	}
	return a.renderParsed(ctx, p, in)
}

// renderParsed is RenderEditionArtifacts of a parsed document in hand.
func (a *Activities) renderParsed(ctx context.Context, p content.Parsed, in activitytypes.RenderArtifactsInput) (activitytypes.RenderSummary, error) {
	var err error
	var detect *activitytypes.DetectResult
	if in.WithDetect {
		d, err := a.detect(withRunCorrelation(ctx), activitytypes.DetectInput{Edition: in.Edition, Parsed: p})
		if err != nil {
			return activitytypes.RenderSummary{}, err
		}
		if len(d.Changes) > maxListed {
			d.ChangesTotal, d.Changes = len(d.Changes), d.Changes[:maxListed]
		}
		detect = &d
	}
	var statsErr string
	if in.WithStats {
		// Usage figures are a nicety: without them the block is left
		// out, never the edition.
		if in.Stats, err = a.FetchStats(ctx); err != nil {
			statsErr, in.Stats = err.Error(), nil
		}
	}
	red := render.Edition{ID: in.Edition, Date: in.Date, WebBaseURL: a.WebBaseURL, Stats: in.Stats, Accepted: in.Accepted}
	var sum activitytypes.RenderSummary
	if len(in.Reapply) > 0 {
		// Matched against the document's own texts, then rendered with
		// those that still fit.
		plain := red
		plain.Accepted = render.Overrides{}
		base, err := a.Renderer.Render(p, plain)
		if err != nil {
			return activitytypes.RenderSummary{}, nonRetryable(activitytypes.ErrTypeRender, fmt.Errorf("render edition %s: %w", in.Edition, err))
		}
		red.Accepted, sum.Reapplied, sum.NotReapplied = suggest.Reapply(in.Reapply, p, base)
		sum.Accepted = red.Accepted
	}
	// Each email variant is stored, hashed and let go as soon as it is
	// rendered: a large edition's variants are never in memory together.
	rev, digest := render.NewRevision(), crm.NewContentHash()
	var variants []activitytypes.VariantRef
	var storeErr error
	out, err := a.Renderer.RenderEach(p, red,
		func(v crm.Variant) error {
			ref, err := a.Artifacts.PutStream(ctx, in.Edition, artifact.MediaVariant, func(w io.Writer) error {
				return crm.WriteVariant(io.MultiWriter(w, rev.NextVariant(), digest.Next()), v)
			})
			if err != nil {
				storeErr = fmt.Errorf("store email variant %s: %w", v.ID, err)
				return storeErr
			}
			variants = append(variants, activitytypes.VariantRef{ID: v.ID, Subject: v.Subject, HTMLBytes: len(v.HTML), Ref: ref})
			return nil
		})
	if storeErr != nil {
		return activitytypes.RenderSummary{}, storeErr
	}
	if err != nil {
		return activitytypes.RenderSummary{}, nonRetryable(activitytypes.ErrTypeRender, fmt.Errorf("render edition %s: %w", in.Edition, err))
	}
	if in.Social != nil {
		// Approvers' edits go over the drafts, suggestions' included.
		kept, dropped := render.CarrySocial(*in.Social, &out)
		sum.SocialKept, sum.SocialDropped = &kept, dropped
		sum.Accepted = red.Accepted.WithSocial(kept)
	}
	m := activitytypes.RenderedEdition{Edition: in.Edition, Email: out.Email.ID, Variants: variants, TargetedSegments: out.TargetedSegments,
		WebURL: out.Web.URL, Slug: out.Web.Slug, Title: out.Web.Title, Summary: out.Web.Summary, Preheader: out.Email.Preheader, Social: out.Social,
		EmailOnly: out.EmailOnly, ContentRevision: rev.Sum(out),
		ContentDigest: digest.Sum(), Warnings: bounded(out.Warnings, "more warnings")}
	if m.Web, err = a.Artifacts.PutStream(ctx, in.Edition, artifact.MediaWeb, func(w io.Writer) error { return render.WriteWeb(w, out.Web) }); err != nil {
		return activitytypes.RenderSummary{}, fmt.Errorf("store web update: %w", err)
	}
	ref, err := a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaEdition, m)
	if err != nil {
		return activitytypes.RenderSummary{}, fmt.Errorf("store rendered edition: %w", err)
	}
	sum.Manifest, sum.Revision, sum.StatsError, sum.Detect, sum.RenderedEdition = ref, ref.Hex(), statsErr, detect, m
	if a.AI != nil {
		sum.AIModel = a.AI.Runner.Model.Name()
	}
	return sum, nil
}

// loadEdition reads a manifest and every variant it names.
func (a *Activities) loadEdition(ctx context.Context, ref artifact.Ref) (activitytypes.RenderedEdition, []crm.Variant, error) {
	m, err := a.loadManifest(ctx, ref)
	if err != nil {
		return m, nil, err
	}
	vs := make([]crm.Variant, 0, len(m.Variants))
	for _, vr := range m.Variants {
		v, err := a.loadVariant(ctx, vr.Ref)
		if err != nil {
			return m, nil, err
		}
		vs = append(vs, v)
	}
	if got := crm.ContentDigest(vs); got != m.ContentDigest {
		return m, nil, nonRetryable(activitytypes.ErrTypeArtifact, fmt.Errorf("rendered edition %s: variants have digest %s, the manifest says %s", ref.Digest, got, m.ContentDigest))
	}
	return m, vs, nil
}

// loadManifest reads a rendered edition's manifest.
func (a *Activities) loadManifest(ctx context.Context, ref artifact.Ref) (activitytypes.RenderedEdition, error) {
	var m activitytypes.RenderedEdition
	if err := a.Artifacts.GetJSON(ctx, ref, &m); err != nil {
		return m, artifactError(err)
	}
	return m, nil
}

func (a *Activities) loadVariant(ctx context.Context, ref artifact.Ref) (crm.Variant, error) {
	var v crm.Variant
	if err := a.Artifacts.GetJSON(ctx, ref, &v); err != nil {
		return v, artifactError(err)
	}
	return v, nil
}

// LoadOutput reads every channel of a rendered edition back from the
// store: what 'starter preview' writes out.
func LoadOutput(ctx context.Context, store *blobstore.Store, manifest artifact.Ref) (render.Output, error) {
	a := &Activities{Artifacts: store}
	m, vs, err := a.loadEdition(ctx, manifest)
	if err != nil {
		return render.Output{}, err
	}
	out := render.Output{Variants: vs, TargetedSegments: m.TargetedSegments, Social: m.Social, Warnings: m.Warnings,
		EmailOnly: m.EmailOnly, Revision: m.ContentRevision}
	for _, v := range vs {
		if v.ID == m.Email {
			out.Email = v
		}
	}
	if err := store.GetJSON(ctx, m.Web, &out.Web); err != nil {
		return render.Output{}, err
	}
	return out, nil
}
