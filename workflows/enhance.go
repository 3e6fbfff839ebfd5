package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/render"
)

// versionSuggestions guards the suggestion step: runs recorded before it
// replay without it. Version 2: a run whose worker has AI off schedules
// no suggestion activity at all, and a refresh applies again the
// accepted suggestions that still fit the new document.
const versionSuggestions = "ai-suggestions"

// States of the suggestion step, as AIStatus.State.
const (
	AIOff     = "off"     // the worker has no model configured
	AIRunning = "running" // requests in flight
	AIDone    = "done"    // every request answered
	AIPartial = "partial" // some suggestions are missing; Warnings say why
	AIFailed  = "failed"  // no suggestions; the run goes on without them
)

// suggestWindow bounds the whole suggestion step: past it no new request
// starts, so a slow or absent model delays the proof by at most this.
const suggestWindow = 10 * time.Minute

// enhanceOptions run one request on the AI task queue. A refusal or an
// exhausted budget is final (the activity says so); rate limits and
// server errors retry after the server's Retry-After.
func enhanceOptions(taskQueue string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:              taskQueue,
		ScheduleToCloseTimeout: 3 * time.Minute,
		StartToCloseTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{activitytypes.ErrTypeAIRejected, activitytypes.ErrTypeAIBudget},
		},
	}
}

// AIStatus is what the status query says about suggestions.
type AIStatus struct {
	State string `json:"state"`
	Model string `json:"model,omitempty"`
	// Usage counts tokens and requests over the run, refreshes included.
	Usage       suggest.Usage `json:"usage"`
	Suggestions int           `json:"suggestions"`
	Findings    int           `json:"findings"`
	// Warnings say what is missing and why.
	Warnings []string   `json:"warnings,omitempty"`
	Accepted []Accepted `json:"accepted,omitempty"`
}

// Accepted is a suggestion an approver accepted: the audit trail of AI
// edits.
type Accepted struct {
	ID    string    `json:"id"`
	Text  string    `json:"text"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	Model string    `json:"model"`
	// Dropped says why a refresh left the suggestion out: what it
	// replaced changed in the document.
	Dropped string `json:"dropped,omitempty"`
}

// aiState is what the run keeps for suggestions.
type aiState struct {
	sections []suggest.SectionText
	render   activitytypes.RenderInput // the last render's input, to render again
	// renderArtifacts is the last render's input on the artifact store,
	// to render again; nil for runs from before it.
	renderArtifacts *activitytypes.RenderArtifactsInput
	accepted        render.Overrides
	// pending are suggestions accepted but not yet rendered.
	pending   []suggest.Suggestion
	pendingBy string
	// applied counts renders with accepted suggestions, for proof IDs.
	applied int
	// version is versionSuggestions' for this run.
	version workflow.Version
	// kept are the accepted suggestions in the edition, with what each
	// replaced, to apply again on a refresh (version 2).
	kept []suggest.Applied
	// notes say which accepted suggestions a refresh left out, for the
	// next suggestion step's warnings.
	notes []string
}

// AIResult is the suggestion step in the run's result.
type AIResult struct {
	Model    string        `json:"model,omitempty"`
	Usage    suggest.Usage `json:"usage"`
	Accepted []Accepted    `json:"accepted,omitempty"`
}

func (r *run) aiResult() *AIResult {
	st := r.status.AI
	if st == nil || st.State == AIOff {
		return nil
	}
	return &AIResult{Model: st.Model, Usage: st.Usage, Accepted: st.Accepted}
}

// acceptIDs reads the suggestion IDs of an approval ("subject:2,social.x"
// may come as one item or several).
func acceptIDs(sig ApproveSignal) []string {
	return suggest.ParseAccept(strings.Join(sig.Accept, ","))
}

// proofID is unique per proof, so every render's proof is a new send.
func (r *run) proofID() string {
	id := fmt.Sprintf("%s-proof-%d", r.id, r.status.Refreshes)
	if r.ai.applied > 0 {
		id += fmt.Sprintf("-accepted-%d", r.ai.applied)
	}
	if r.socialEdit.applied > 0 {
		id += fmt.Sprintf("-social-%d", r.socialEdit.applied)
	}
	return id
}

// suggest asks the model for suggestions on the current render, one
// Enhance activity per request within the token budget. Nothing here can
// fail the run: a failing or absent model leaves the edition as rendered
// and says so in the status.
func (r *run) suggest(ctx workflow.Context, p prepared) {
	r.suggestFor(ctx, activitytypes.PlanInput{Edition: r.in.Edition, Parsed: p.parsed, Output: p.output}, false,
		func() {
			r.ai.render = activitytypes.RenderInput{Parsed: p.parsed, Edition: r.in.Edition, Date: r.date, Stats: p.stats}
		})
}

// suggestArtifacts is suggest for runs on the artifact store: the
// activities read the parsed document, the rendered edition and each
// request from the store; history holds only their references.
func (r *run) suggestArtifacts(ctx workflow.Context, s staged) {
	parsed, manifest := s.doc.Parsed, s.rendered.Manifest
	off := s.rendered.AIModel == ""
	r.suggestFor(ctx, activitytypes.PlanInput{Edition: r.in.Edition, ParsedRef: &parsed, Manifest: &manifest}, off, func() {
		r.ai.renderArtifacts = &activitytypes.RenderArtifactsInput{Parsed: parsed, Edition: r.in.Edition, Date: r.date, WithStats: true}
	})
}

// suggestFor makes the suggestions of one render; keep records what
// rendering it again with accepted suggestions needs. off: the render's
// worker has no model, so nothing is asked.
func (r *run) suggestFor(ctx workflow.Context, in activitytypes.PlanInput, off bool, keep func()) {
	r.ai.version = r.version(ctx, versionSuggestions, 2)
	if r.ai.version == workflow.DefaultVersion {
		return
	}
	r.preview.Suggestions = nil
	st := &AIStatus{State: AIRunning}
	if prev := r.status.AI; prev != nil {
		st.Usage, st.Accepted = prev.Usage, prev.Accepted
	}
	r.status.AI = st
	if r.ai.version >= 2 {
		// The render applied again what still fits (see reapplied).
		st.Warnings, r.ai.notes = r.ai.notes, nil
	} else {
		// A new render starts from the document again: what was accepted
		// for the previous version is gone from it.
		if !r.ai.accepted.IsZero() {
			st.Warnings = append(st.Warnings, "suggestions accepted earlier were for the previous version; accept again from the new suggestions")
		}
		r.ai.accepted = render.Overrides{}
	}
	r.ai.pending = nil
	keep()
	// Runs that prepare in one activity learnt it there, whatever the
	// suggestions version.
	if off && (r.ai.version >= 2 || r.prepareInOne) {
		st.State = AIOff
		return
	}
	var plan activitytypes.SuggestPlan
	if err := activitytypes.PlanSuggestions.Execute(withOptions(ctx, localOptions), in).Get(ctx, &plan); err != nil {
		st.State, st.Warnings = AIFailed, []string{"no suggestions: " + err.Error()}
		return
	}
	if !plan.Enabled {
		st.State = AIOff
		return
	}
	st.Model = plan.Model
	r.ai.sections = plan.Sections
	s := &suggest.Suggestions{Model: plan.Model}
	var spent suggest.Usage
	deadline := workflow.Now(ctx).Add(suggestWindow)
	actx := withOptions(ctx, enhanceOptions(plan.TaskQueue))
	// One request each: inline, or by reference to the stored request.
	requests := make([]activitytypes.EnhanceInput, 0, len(plan.Tasks)+len(plan.TaskRefs))
	for _, t := range plan.Tasks {
		requests = append(requests, activitytypes.EnhanceInput{Task: t})
	}
	for _, t := range plan.TaskRefs {
		ref := t.Ref
		requests = append(requests, activitytypes.EnhanceInput{Task: suggest.Task{ID: t.ID}, TaskRef: &ref})
	}
	for i, in := range requests {
		t := in.Task
		if workflow.Now(ctx).After(deadline) {
			st.Warnings = append(st.Warnings, fmt.Sprintf("%d requests not made: the model took longer than %s in all", len(requests)-i, suggestWindow))
			break
		}
		var res suggest.Result
		in.Budget = plan.Budget - spent.Total()
		if in.TaskRef != nil {
			in.Task = suggest.Task{}
		}
		err := activitytypes.Enhance.Execute(actx, in).Get(ctx, &res)
		if err == nil {
			s.Add(res)
			spent = spent.Add(res.Usage)
			continue
		}
		st.Warnings = append(st.Warnings, fmt.Sprintf("%s: %s", t.ID, reason(err)))
		var timeout *temporal.TimeoutError
		if activitytypes.AIFatal(err) || errors.As(err, &timeout) {
			if rest := len(requests) - i - 1; rest > 0 {
				st.Warnings = append(st.Warnings, fmt.Sprintf("%d requests not made: the model cannot answer (task queue %s)", rest, plan.TaskQueue))
			}
			break
		}
	}
	st.Usage = st.Usage.Add(spent)
	st.Warnings = append(st.Warnings, s.Warnings...)
	st.Suggestions, st.Findings = len(s.Suggestions), len(s.Findings)
	switch {
	case st.Suggestions == 0 && st.Findings == 0:
		st.State = AIFailed
	case len(st.Warnings) > 0:
		st.State = AIPartial
	default:
		st.State = AIDone
	}
	s.Usage = spent
	r.preview.Suggestions = s
	workflow.GetLogger(ctx).Info("suggestions ready", "state", st.State, "suggestions", st.Suggestions,
		"promptTokens", spent.PromptTokens, "completionTokens", spent.CompletionTokens)
}

// checkAccept says why accepting ids is impossible now, or nil.
func (r *run) checkAccept(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if r.preview.Suggestions == nil {
		return fmt.Errorf("edition %s has no suggestions to accept (AI_MODEL is not set on the worker, or the model failed: see status)", r.in.Edition)
	}
	if r.ai.pending != nil {
		return fmt.Errorf("edition %s is applying accepted suggestions already; wait for the new proof", r.in.Edition)
	}
	_, err := r.preview.Suggestions.Select(ids)
	return err
}

// accept records accepted suggestions from an approver. The edition will
// change, so the approval does not count: awaitDecision renders again,
// voids the approvals given so far and sends a new proof.
func (r *run) accept(ctx workflow.Context, d Decision, ids []string) {
	if err := r.checkAccept(ids); err != nil {
		d.Note = err.Error()
		r.record(ctx, d)
		return
	}
	chosen, _ := r.preview.Suggestions.Select(ids)
	d.Note = fmt.Sprintf("accepted %s; the edition changes, so approve the new proof", strings.Join(ids, ", "))
	r.record(ctx, d)
	r.ai.pending, r.ai.pendingBy = chosen, d.By
}

// applyAccepted renders the edition again with the pending accepted
// suggestions, voids earlier approvals and sends a new proof. On failure
// the previous render stays up and the status says why.
func (r *run) applyAccepted(ctx workflow.Context) {
	r.setStage(ctx, StageRendering) // no approval of the old version meanwhile
	chosen, by := r.ai.pending, r.ai.pendingBy
	r.ai.pending, r.ai.pendingBy = nil, ""
	overrides, err := suggest.Apply(r.ai.accepted, chosen, r.ai.sections)
	if err == nil {
		err = r.renderAccepted(ctx, overrides)
	}
	if err != nil {
		r.status.Errors = append(r.status.Errors, "accepted suggestions not applied, the previous version is still awaiting approval: "+reason(err))
		return
	}
	if r.ai.version >= 2 {
		r.ai.kept = suggest.Record(r.ai.kept, chosen, r.ai.sections)
	}
	for _, s := range chosen {
		if s.Kind == suggest.KindSocial {
			r.socialEdit.replaced(s.Target)
		}
	}
	now := workflow.Now(ctx).UTC()
	all := r.preview.Suggestions.Suggestions
	for _, s := range chosen {
		r.status.AI.Accepted = append(r.status.AI.Accepted, Accepted{ID: s.ID, Text: s.Text, By: by, At: now, Model: r.preview.Suggestions.Model})
		for i := range all { // what the edition says now, next to the others
			if all[i].Kind == s.Kind && all[i].Target == s.Target {
				all[i].Original = s.Text
			}
		}
	}
	r.voidApprovalsOf("", fmt.Sprintf("the edition changed: %s accepted suggestions (revision %.12s)", by, r.content))
	r.ai.applied++
	r.sendSignedProof(ctx, r.in.Approvers, nil, false)
}

// setRendered makes a render of accepted suggestions the edition awaiting
// approval: a new reference and revision, as a refresh would give.
func (r *run) setRendered(out activitytypes.RenderSummary) {
	r.rendered = &out
	r.content, r.status.ContentRevision = out.ContentRevision, out.ContentRevision
	r.status.Rendered = out.Manifest.Hex()
	r.status.Variants = len(out.Variants)
	r.preview.Rendered = &out
}

// reapplied takes in a refresh's render of the accepted suggestions: those
// that still fit the new document stay accepted; the others are marked
// dropped in the audit trail, with the reason.
func (r *run) reapplied(out activitytypes.RenderSummary) {
	r.ai.accepted, r.ai.kept = out.Accepted, out.Reapplied
	if len(out.NotReapplied) == 0 || r.status.AI == nil {
		return
	}
	acc := r.status.AI.Accepted
	for _, n := range out.NotReapplied {
		for i := len(acc) - 1; i >= 0; i-- {
			if acc[i].ID == n.ID && acc[i].Dropped == "" {
				acc[i].Dropped = fmt.Sprintf("refresh %d: %s", r.status.Refreshes, n.Reason)
				break
			}
		}
		note := fmt.Sprintf("accepted suggestion %s no longer applies and is left out: %s", n.ID, n.Reason)
		r.ai.notes = append(r.ai.notes, note)
		r.status.AI.Warnings = append(r.status.AI.Warnings, note)
	}
}
