package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/edition"
)

// run is the state of one NewsletterWorkflow execution. Queries read it;
// signal and update handlers change it; the main coroutine drives it.
type run struct {
	// baseline: the version of changeBaseline this run started with,
	// which pins the version of the changes it lists.
	baseline workflow.Version
	in       Input
	id       string // newsletter ID at the CRM: newsletter-<edition>
	status   Status
	preview  Preview
	revision string
	prints   []content.SectionPrint
	date     time.Time
	// artifacts: this run keeps documents and renders in the artifact
	// store (doc and rendered), not in history.
	artifacts bool
	// detectInRender: the render activity compares with the last edition.
	detectInRender bool
	// prepareInOne: one activity fetches, parses and renders.
	prepareInOne bool
	doc          *activitytypes.DocumentSummary
	rendered     *activitytypes.RenderSummary

	// signed: decisions count only with a verified token (runs started
	// after signed approvals; see versionSignedApprovals).
	signed bool
	// content is the content revision approvers are shown; parsed is the
	// document it was rendered from.
	content        string
	parsed         content.Parsed
	deadline       time.Time
	refreshing     bool
	usedTokens     map[string]bool
	approvedPrints map[string][]content.SectionPrint
	notAnswered    []string

	approvals      map[string]bool
	rejected       bool
	rejectReason   string
	refreshPending bool
	refreshedBy    string

	ai         aiState
	socialEdit socialEditState

	// sendControl: the run can send later, pause, resume, cancel and
	// test-send (see versionSendControl); dl is that state.
	sendControl bool
	dl          delivery
	// tz: the send goes by time-zone groups (Input.TZWindows).
	tz tzState
}

// NewsletterWorkflow fetches the living document, renders every channel,
// waits for approval, then publishes the web update and sends the email.
func NewsletterWorkflow(ctx workflow.Context, in Input) (Result, error) {
	r, err := newRun(ctx, in)
	if err != nil {
		return Result{}, err
	}
	r.signed = r.version(ctx, versionSignedApprovals, 1) == 1
	if r.signed {
		r.sendControl = r.version(ctx, versionSendControl, 1) == 1
	}
	if err := r.registerHandlers(ctx); err != nil {
		return Result{}, err
	}
	if r.sendControl {
		if err := r.registerSendControl(ctx); err != nil {
			return Result{}, err
		}
		if err := r.setupDelivery(ctx); err != nil {
			return Result{}, err
		}
		if err := r.setupTZWindows(ctx); err != nil {
			return Result{}, err
		}
	}
	res, err := r.execute(ctx)
	if r.signed {
		// Let a decision still being verified finish before the run does.
		_ = workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
	}
	if err != nil {
		r.status.Errors = append(r.status.Errors, reason(err))
		r.setStage(ctx, StageFailed)
		return Result{}, err
	}
	r.status.Outcome = res.Outcome
	r.setStage(ctx, StageDone)
	return res, nil
}

func newRun(ctx workflow.Context, in Input) (*run, error) {
	in, err := normalize(ctx, in)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidInput", nil)
	}
	r := &run{in: in, id: WorkflowID(in.Edition), approvals: map[string]bool{},
		usedTokens: map[string]bool{}, approvedPrints: map[string][]content.SectionPrint{}}
	r.date = edition.Date(in.Edition, workflow.GetInfo(ctx).WorkflowStartTime.UTC())
	r.status = Status{Stage: StageStarting, Edition: in.Edition, Source: in.Source, DryRun: in.DryRun, Approvers: in.Approvers,
		RunID: workflow.GetInfo(ctx).WorkflowExecution.RunID}
	r.preview.Edition = in.Edition
	r.baseline = workflow.GetVersion(ctx, changeBaseline, workflow.DefaultVersion, versionBaseline1)
	r.artifacts = r.version(ctx, changeArtifacts, versionArtifacts) >= versionArtifacts
	if r.artifacts {
		v := r.version(ctx, changeDetectInRender, versionPrepareInOne)
		r.detectInRender, r.prepareInOne = v >= 1, v >= versionPrepareInOne
	}
	return r, nil
}

// normalize validates the input and fills defaults. It is pure, apart from
// reading the run's start time when the edition must be derived.
func normalize(ctx workflow.Context, in Input) (Input, error) {
	if in.Edition == "" {
		in.Edition = edition.ForTime(scheduledStart(ctx).UTC())
	}
	if err := edition.Validate(in.Edition); err != nil {
		return in, err
	}
	if strings.TrimSpace(in.Source) == "" {
		return in, fmt.Errorf("input has no source: set source to markdown:<path-or-url>, gdocs:<document-id> or notion:<page-id>")
	}
	approvers := make([]string, 0, len(in.Approvers))
	seen := map[string]bool{}
	for _, ap := range in.Approvers {
		ap = strings.ToLower(strings.TrimSpace(ap))
		if ap != "" && !seen[ap] {
			seen[ap] = true
			approvers = append(approvers, ap)
		}
	}
	if len(approvers) == 0 {
		return in, fmt.Errorf("input has no approvers: name at least one address whose approval counts")
	}
	in.Approvers = approvers
	if in.RequiredApprovals <= 0 {
		in.RequiredApprovals = 1
	}
	if in.RequiredApprovals > len(approvers) {
		return in, fmt.Errorf("input asks for %d approvals but lists %d approvers", in.RequiredApprovals, len(approvers))
	}
	if in.ApprovalTimeout <= 0 {
		in.ApprovalTimeout = Duration(DefaultApprovalTimeout)
	}
	for _, ch := range in.Channels {
		switch ch {
		case ChannelEmail, ChannelWeb, ChannelSocial:
		default:
			return in, fmt.Errorf("unknown channel %q: use email, web or social", ch)
		}
	}
	if err := validateSocial(in.Social); err != nil {
		return in, err
	}
	return in, nil
}

// scheduledStart is the schedule's nominal start time for runs started by
// a Temporal Schedule, else the run's start time; so a backfilled week gets
// its own edition.
func scheduledStart(ctx workflow.Context) time.Time {
	key := temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")
	if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(key); ok && !t.IsZero() {
		return t
	}
	return workflow.GetInfo(ctx).WorkflowStartTime
}

func (r *run) wants(channel string) bool {
	if len(r.in.Channels) == 0 {
		return true
	}
	for _, c := range r.in.Channels {
		if c == channel {
			return true
		}
	}
	return false
}

func (r *run) setStage(ctx workflow.Context, stage string) {
	r.status.Stage = stage
	upsertSearchAttributes(ctx, stage, r.in.Edition)
}

// execute runs the steps after set-up.
func (r *run) execute(ctx workflow.Context) (Result, error) {
	r.readLastEdition(ctx)
	unchanged, err := r.prepare(ctx)
	if err != nil {
		return Result{}, err
	}
	if unchanged && !r.in.Force {
		workflow.GetLogger(ctx).Info("document unchanged since the last edition; nothing to send", "edition", r.in.Edition)
		return r.result(OutcomeUnchanged), nil
	}
	for {
		outcome, err := r.awaitDecision(ctx)
		if err != nil || outcome != "" {
			return r.result(outcome), err
		}
		if !r.sendControl {
			break
		}
		due, err := r.awaitSendTime(ctx)
		if err != nil {
			return Result{}, err
		}
		if r.dl.cancelReq {
			r.status.Delivery.State, r.status.Delivery.Summary = SendCancelled, "cancelled before the send time: nothing sent"
			r.progressed()
			return r.result(OutcomeCancelled), nil
		}
		if due {
			break
		}
	}
	if r.in.DryRun {
		return r.result(OutcomeDryRun), nil
	}
	return r.deliver(ctx)
}

func (r *run) result(outcome string) Result {
	res := Result{
		Outcome: outcome, Edition: r.in.Edition, Revision: r.revision,
		ApprovedBy: r.status.ApprovedBy, RejectedBy: r.status.RejectedBy, Decisions: r.status.Decisions,
		UpdateURL: r.status.UpdateURL, Send: r.status.Send, Changes: r.status.Changes, Posts: r.status.Posts,
	}
	if outcome == OutcomeRejected {
		res.Reason = r.rejectReason
	}
	res.Delivery = r.status.Delivery
	res.ChangeRequests = r.status.ChangeRequests
	res.NotAnswered = r.notAnswered
	if r.wants(ChannelSocial) && outcome != OutcomeUnchanged {
		res.Social = r.preview.Output.Social
		if r.rendered != nil {
			res.Social = r.rendered.Social
		}
	}
	res.AI = r.aiResult()
	return res
}

// sendEmail runs the send; runs with send control can pause, resume and
// cancel it. It reports whether the send was cancelled.
func (r *run) sendEmail(ctx workflow.Context, in activitytypes.SendInput) (bool, error) {
	if !r.sendControl {
		if err := activitytypes.SendNewsletter.Execute(withOptions(ctx, sendOptions), in).Get(ctx, &r.status.Send); err != nil {
			return false, stepError("send newsletter", err)
		}
		return false, nil
	}
	if r.tz.on {
		return r.sendGroups(ctx, in)
	}
	cancelled, err := r.sendControlled(ctx, in, &r.status.Send)
	if err != nil {
		return false, err
	}
	if cancelled {
		r.finishCancelled(ctx, in)
	}
	return cancelled, nil
}

// deliver publishes the web update, sends the email, then posts to the
// social networks.
func (r *run) deliver(ctx workflow.Context) (Result, error) {
	if r.artifacts {
		return r.deliverArtifacts(ctx)
	}
	if r.wants(ChannelWeb) {
		r.setStage(ctx, StagePublishing)
		var pub activitytypes.PublishResult
		in := activitytypes.PublishInput{WorkflowID: r.id, Edition: r.in.Edition, Revision: r.revision, Web: r.preview.Output.Web, Sections: r.prints}
		if err := activitytypes.PublishUpdate.Execute(withOptions(ctx, publishOptions), in).Get(ctx, &pub); err != nil {
			return Result{}, stepError("publish web update", err)
		}
		r.status.UpdateURL = pub.URL
	}
	if r.wants(ChannelEmail) {
		r.setStage(ctx, StageSending)
		out := r.preview.Output
		in := activitytypes.SendInput{NewsletterID: r.id, Audience: r.in.Audience, Variants: out.Variants, TargetedSegments: out.TargetedSegments}
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
