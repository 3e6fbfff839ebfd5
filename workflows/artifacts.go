package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/render"
)

// versionArtifacts marks runs whose documents and renders live in the
// artifact store, history carrying only references. Runs started before
// replay the inline steps (prepareInline, deliverInline).
const (
	changeArtifacts  = "artifact-store"
	versionArtifacts = 1
	// changeDetectInRender marks runs whose render activity also compares
	// with the last edition (one activity fewer per render).
	changeDetectInRender = "detect-in-render"
	// versionPrepareInOne of changeDetectInRender marks runs that fetch,
	// parse, compare and render in one activity (PrepareEdition), which
	// also says when the worker has AI off: each render adds one activity
	// to history instead of three.
	versionPrepareInOne = 2
)

// staged is one fetch-and-render through the artifact store.
type staged struct {
	doc      activitytypes.DocumentSummary
	detect   activitytypes.DetectResult
	rendered activitytypes.RenderSummary
	statsErr string
	// aiOff: the worker that rendered has AI off.
	aiOff bool
	// carried: the render was asked to carry approvers' social edits.
	carried bool
}

// fetchAndRenderArtifacts fetches and parses the document, then compares
// it with the last edition while it renders: three activities, each
// result a few KB whatever the document's size.
func (r *run) fetchAndRenderArtifacts(ctx workflow.Context) (staged, error) {
	var s staged
	r.setStage(ctx, StageFetching)
	social := r.carrySocial(ctx)
	s.carried = social != nil
	if r.prepareInOne {
		return r.prepareEdition(ctx, social)
	}
	docIn := activitytypes.DocumentInput{Source: r.in.Source, Edition: r.in.Edition}
	if err := activitytypes.FetchAndParse.Execute(withOptions(ctx, fetchOptions), docIn).Get(ctx, &s.doc); err != nil {
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == activitytypes.ErrTypeNoSections {
			return s, stepErrorOn("parse document", r.in.Source, err)
		}
		return s, stepErrorOn("fetch document", r.in.Source, err)
	}
	r.setStage(ctx, StageRendering)
	parsed := s.doc.Parsed
	renderIn := activitytypes.RenderArtifactsInput{Parsed: parsed, Edition: r.in.Edition, Date: r.date, WithStats: true, Reapply: r.ai.kept, Social: social}
	if r.detectInRender {
		renderIn.WithDetect = true
		if err := activitytypes.RenderEditionArtifacts.Execute(withOptions(ctx, localOptions), renderIn).Get(ctx, &s.rendered); err != nil {
			return s, stepErrorOn("render edition", r.in.Edition, err)
		}
		if s.rendered.Detect != nil {
			s.detect = *s.rendered.Detect
			s.rendered.Detect = nil
		}
		s.statsErr = s.rendered.StatsError
		return s, nil
	}
	detectF := activitytypes.DetectChanges.Execute(withOptions(ctx, platformReadOptions), activitytypes.DetectInput{Edition: r.in.Edition, ParsedRef: &parsed})
	renderF := activitytypes.RenderEditionArtifacts.Execute(withOptions(ctx, localOptions), renderIn)
	if err := detectF.Get(ctx, &s.detect); err != nil {
		return s, stepError("compare with the last edition", err)
	}
	if err := renderF.Get(ctx, &s.rendered); err != nil {
		return s, stepErrorOn("render edition", r.in.Edition, err)
	}
	s.statsErr = s.rendered.StatsError
	return s, nil
}

// prepareEdition fetches, parses, compares and renders in one activity,
// carrying the social edits social over.
func (r *run) prepareEdition(ctx workflow.Context, social *render.SocialEdits) (staged, error) {
	s := staged{carried: social != nil}
	var res activitytypes.PrepareResult
	in := activitytypes.PrepareInput{Source: r.in.Source, Edition: r.in.Edition, Date: r.date, Reapply: r.ai.kept, Social: social}
	if err := activitytypes.PrepareEdition.Execute(withOptions(ctx, prepareOptions), in).Get(ctx, &res); err != nil {
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) {
			switch appErr.Type() {
			case activitytypes.ErrTypeNoSections:
				return s, stepErrorOn("parse document", r.in.Source, err)
			case activitytypes.ErrTypeRender, activitytypes.ErrTypeArtifact:
				return s, stepErrorOn("render edition", r.in.Edition, err)
			case activitytypes.ErrTypePlatformRejected:
				return s, stepError("compare with the last edition", err)
			}
		}
		return s, stepErrorOn("fetch document", r.in.Source, err)
	}
	s.doc, s.rendered, s.aiOff = res.Document, res.Rendered, res.AIOff
	if s.rendered.Detect != nil {
		s.detect = *s.rendered.Detect
		s.rendered.Detect = nil
	}
	s.statsErr = s.rendered.StatsError
	return s, nil
}

// prepareArtifacts is prepare for runs on the artifact store.
func (r *run) prepareArtifacts(ctx workflow.Context) (unchanged bool, err error) {
	s, err := r.fetchAndRenderArtifacts(ctx)
	if err != nil {
		return false, err
	}
	before := r.content
	if len(r.ai.kept) > 0 || s.carried {
		r.reapplied(s.rendered)
	}
	r.doc, r.rendered = &s.doc, &s.rendered
	r.content = s.rendered.ContentRevision
	r.status.ContentRevision = r.content
	r.revision = s.doc.Revision
	r.status.Revision = s.doc.Revision
	r.status.Rendered = s.rendered.Manifest.Hex()
	r.status.Unknown = s.doc.Unknown
	r.status.Warnings = append(append([]string(nil), s.doc.Warnings...), s.rendered.Warnings...)
	if s.statsErr != "" {
		r.status.Warnings = append(r.status.Warnings, "usage figures unavailable, the by-the-numbers block is left out: "+s.statsErr)
	}
	if s.carried {
		r.carried(s.rendered)
	}
	r.status.Sections = nil
	for _, sec := range s.doc.Sections {
		r.status.Sections = append(r.status.Sections, SectionSummary(sec))
	}
	r.status.SectionTotal = s.doc.SectionTotal
	r.status.Changes = s.detect.Changes
	r.status.ChangesTotal = s.detect.ChangesTotal
	r.preview = Preview{Edition: r.in.Edition, Changes: s.detect.Changes, Document: &s.doc, Rendered: &s.rendered}
	r.status.Variants = len(s.rendered.Variants)
	if s.detect.Unchanged && !r.in.Force {
		r.ai.notes = nil // reapplied put them in the status already
		return true, nil
	}
	r.suggestArtifacts(ctx, s)
	r.proveRender(ctx, before, r.sendProofArtifacts)
	return false, nil
}

func (r *run) sendProofArtifacts(ctx workflow.Context) {
	if r.in.DryRun || !r.wants(ChannelEmail) {
		return
	}
	in := activitytypes.ProofInput{
		NewsletterID: fmt.Sprintf("%s-proof-%d", r.id, r.status.Refreshes),
		Approvers:    r.in.Approvers,
		Warnings:     r.rendered.Warnings,
		EmailOnly:    r.rendered.EmailOnly,
		EmailRef:     r.rendered.EmailRef(),
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

// deliverArtifacts publishes the web update and sends the email, each
// activity reading the rendered edition from the artifact store.
func (r *run) deliverArtifacts(ctx workflow.Context) (Result, error) {
	if r.wants(ChannelWeb) {
		r.setStage(ctx, StagePublishing)
		var pub activitytypes.PublishResult
		web, parsed := r.rendered.Web, r.doc.Parsed
		in := activitytypes.PublishInput{WorkflowID: r.id, Edition: r.in.Edition, Revision: r.revision, WebRef: &web, ParsedRef: &parsed}
		if err := activitytypes.PublishUpdate.Execute(withOptions(ctx, publishOptions), in).Get(ctx, &pub); err != nil {
			return Result{}, stepError("publish web update", err)
		}
		r.status.UpdateURL = pub.URL
	}
	if r.wants(ChannelEmail) {
		r.setStage(ctx, StageSending)
		manifest := r.rendered.Manifest
		in := activitytypes.SendInput{NewsletterID: r.id, Audience: r.in.Audience, TargetedSegments: r.rendered.TargetedSegments, Manifest: &manifest}
		cancelled, err := r.sendEmail(ctx, in)
		if err != nil {
			return Result{}, err
		}
		if cancelled {
			return r.result(OutcomeCancelled), nil
		}
	}
	r.postSocial(ctx)
	return r.result(OutcomeSent), nil
}
