package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// prepared is one fetch-and-render of the document.
type prepared struct {
	parsed content.Parsed
	detect activitytypes.DetectResult
	output render.Output
	stats  []render.Stat
	// statsErr is why usage figures are missing, if they are.
	statsErr string
}

// prepare fetches, parses and renders the document and compares it with
// the last edition; the run's state changes only when every step worked,
// so a failed refresh leaves the previous render awaiting approval. It
// then sends the proof and reports whether nothing changed.
func (r *run) prepare(ctx workflow.Context) (unchanged bool, err error) {
	if r.artifacts {
		return r.prepareArtifacts(ctx)
	}
	p, err := r.fetchAndRender(ctx)
	if err != nil {
		return false, err
	}
	before := r.content
	r.content, r.parsed = p.output.Revision, p.parsed
	r.status.ContentRevision = r.content
	r.revision = p.parsed.Revision
	r.prints = p.parsed.Prints()
	r.status.Revision = p.parsed.Revision
	r.status.Unknown = p.parsed.Unknown
	r.status.Warnings = p.parsed.Warnings
	if p.statsErr != "" {
		r.status.Warnings = append(r.status.Warnings, "usage figures unavailable, the by-the-numbers block is left out: "+p.statsErr)
	}
	r.status.Sections = nil
	for _, s := range p.parsed.Sections {
		r.status.Sections = append(r.status.Sections, SectionSummary{Heading: s.Heading, Category: s.Category, Segments: s.Segments})
	}
	r.status.Changes = p.detect.Changes
	r.preview.Changes = p.detect.Changes
	r.preview.Output = p.output
	r.status.Variants = len(p.output.Variants)
	if p.detect.Unchanged && !r.in.Force {
		return true, nil
	}
	r.suggest(ctx, p)
	r.proveRender(ctx, before, r.sendProof)
	return false, nil
}

func (r *run) fetchAndRender(ctx workflow.Context) (prepared, error) {
	var p prepared
	r.setStage(ctx, StageFetching)
	var doc content.Document
	if err := activitytypes.FetchDocument.Execute(withOptions(ctx, fetchOptions), activitytypes.FetchInput{Source: r.in.Source}).Get(ctx, &doc); err != nil {
		return p, stepErrorOn("fetch document", r.in.Source, err)
	}
	r.setStage(ctx, StageRendering)
	if err := activitytypes.ParseDocument.Execute(withOptions(ctx, localOptions), activitytypes.ParseInput{Document: doc}).Get(ctx, &p.parsed); err != nil {
		return p, stepErrorOn("parse document", r.in.Source, err)
	}
	detectIn := activitytypes.DetectInput{Edition: r.in.Edition, Parsed: p.parsed}
	if err := activitytypes.DetectChanges.Execute(withOptions(ctx, platformReadOptions), detectIn).Get(ctx, &p.detect); err != nil {
		return p, stepError("compare with the last edition", err)
	}
	// Usage figures are a nicety: without them the block is left out,
	// never the edition.
	if err := activitytypes.FetchStats.Execute(withOptions(ctx, platformReadOptions), activitytypes.None{}).Get(ctx, &p.stats); err != nil {
		p.statsErr = reason(err)
		p.stats = nil
	}
	renderIn := activitytypes.RenderInput{Parsed: p.parsed, Edition: r.in.Edition, Date: r.date, Stats: p.stats}
	if err := activitytypes.RenderEdition.Execute(withOptions(ctx, localOptions), renderIn).Get(ctx, &p.output); err != nil {
		return p, stepErrorOn("render edition", r.in.Edition, err)
	}
	return p, nil
}

// sendProof mails the rendered email to the approvers of an unsigned run. A failed proof is
// reported in status but does not stop the run: approvers can still read
// the preview query.
func (r *run) sendProof(ctx workflow.Context) {
	if r.in.DryRun || !r.wants(ChannelEmail) {
		return
	}
	in := activitytypes.ProofInput{
		NewsletterID: r.proofID(),
		Email:        r.preview.Output.Email,
		Approvers:    r.in.Approvers,
		EmailOnly:    r.preview.Output.EmailOnly,
		Suggestions:  r.preview.Suggestions,
		LastEdition:  r.status.LastEdition,
	}
	var res activitytypes.ProofResult
	if err := activitytypes.SendProof.Execute(withOptions(ctx, proofOptions), in).Get(ctx, &res); err != nil {
		r.status.Errors = append(r.status.Errors, "proof not sent: "+reason(err))
		return
	}
	r.status.ProofSentTo = res.SentTo
}

// proveRender sends the proof of a new render. A signed run keeps its
// approvals when the render shows approvers nothing new (before is the
// revision they saw); otherwise it voids them and sends each approver a
// new signed proof. An unsigned run sends its plain proof.
func (r *run) proveRender(ctx workflow.Context, before string, sendUnsigned func(workflow.Context)) {
	if !r.signed {
		sendUnsigned(ctx)
		return
	}
	if before != "" && before == r.content {
		// Nothing an approver sees changed: approvals and tokens stand.
		workflow.GetLogger(ctx).Info("refresh rendered the same edition; approvals stand", "edition", r.in.Edition)
		return
	}
	since := r.voidOnChange(ctx, before)
	r.sendSignedProof(ctx, r.in.Approvers, since, false)
}
