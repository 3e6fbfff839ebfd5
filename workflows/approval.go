package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

// maxRefreshes bounds re-renders in one run, so history stays small; past
// it, start a new run.
const maxRefreshes = 20

// Decision actions.
const (
	actionApprove = "approve"
	actionReject  = "reject"
	actionRefresh = "refresh"
)

// registerHandlers sets up queries, the approve update and the signal
// listeners. Signals are drained by their own coroutines from the start,
// so every one is recorded in the audit trail, counted or not.
func (r *run) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryStatus, func() (Status, error) {
		st := r.status
		st.Social = r.socialPlan()
		return st, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryPreview, func() (Preview, error) { return r.preview, nil }); err != nil {
		return err
	}
	r.listenSocialDeleted(ctx)
	listen(ctx, SignalRefresh, func(ctx workflow.Context, raw converter.RawValue) {
		var sig RefreshSignal
		if r.decode(ctx, actionRefresh, raw, &sig) {
			r.refresh(ctx, sig)
		}
	})
	if r.signed {
		return r.registerSignedHandlers(ctx)
	}
	return r.registerUnsignedHandlers(ctx)
}

// registerUnsignedHandlers keeps the rules of runs started before signed
// approvals: an approver's address alone counts.
func (r *run) registerUnsignedHandlers(ctx workflow.Context) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprove,
		func(ctx workflow.Context, sig ApproveSignal) (string, error) {
			r.approve(ctx, sig)
			return r.approvalSummary(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, sig ApproveSignal) error {
			return r.checkApprover(strings.ToLower(strings.TrimSpace(sig.By)))
		}})
	if err != nil {
		return err
	}
	listen(ctx, SignalApprove, func(ctx workflow.Context, raw converter.RawValue) {
		var sig ApproveSignal
		if r.decode(ctx, actionApprove, raw, &sig) {
			r.approve(ctx, sig)
		}
	})
	listen(ctx, SignalReject, func(ctx workflow.Context, raw converter.RawValue) {
		var sig RejectSignal
		if r.decode(ctx, actionReject, raw, &sig) {
			r.reject(ctx, sig)
		}
	})
	return nil
}

// listen drains a signal channel for the life of the run. Payloads are
// received raw so a malformed one is recorded instead of being dropped.
func listen(ctx workflow.Context, name string, handle func(workflow.Context, converter.RawValue)) {
	ch := workflow.GetSignalChannel(ctx, name)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var raw converter.RawValue
			if !ch.Receive(ctx, &raw) {
				return
			}
			handle(ctx, raw)
		}
	})
}

// decode reads a signal payload; a malformed one is recorded and ignored.
func (r *run) decode(ctx workflow.Context, action string, raw converter.RawValue, into any) bool {
	p := raw.Payload()
	if p == nil || len(p.GetData()) == 0 || string(p.GetData()) == "null" {
		if action == actionRefresh {
			return true // refresh needs no payload
		}
		r.record(ctx, Decision{Action: action, Note: `empty payload: send {"by":"you@example.com"}`})
		return false
	}
	if err := converter.GetDefaultDataConverter().FromPayload(p, into); err != nil {
		r.record(ctx, Decision{Action: action, Note: fmt.Sprintf(`malformed payload (%v): send JSON such as {"by":"you@example.com"}`, err)})
		return false
	}
	return true
}

func (r *run) record(ctx workflow.Context, d Decision) {
	d.At = workflow.Now(ctx).UTC()
	if r.signed && d.Revision == "" {
		d.Revision = r.content
	}
	r.status.Decisions = append(r.status.Decisions, d)
	if !d.Counted {
		workflow.GetLogger(ctx).Warn("decision not counted", "action", d.Action, "by", d.By, "note", d.Note)
	}
}

func (r *run) decided() bool {
	return r.rejected || len(r.status.ApprovedBy) >= r.in.RequiredApprovals
}

func (r *run) isApprover(by string) bool {
	for _, ap := range r.in.Approvers {
		if ap == by {
			return true
		}
	}
	return false
}

// checkApprover says why an approval from by would not count, or nil.
func (r *run) checkApprover(by string) error {
	switch {
	case by == "":
		return fmt.Errorf(`no approver given: send {"by":"you@example.com"}`)
	case !r.isApprover(by):
		return fmt.Errorf("%s is not an approver of edition %s (approvers: %s)", by, r.in.Edition, strings.Join(r.in.Approvers, ", "))
	case r.decided():
		return fmt.Errorf("edition %s is already decided", r.in.Edition)
	case r.approvals[by]:
		return fmt.Errorf("%s has already approved edition %s", by, r.in.Edition)
	case r.status.Stage != StageAwaitingApproval:
		return fmt.Errorf("edition %s is not awaiting approval (stage %s); approve once status shows %s", r.in.Edition, r.status.Stage, StageAwaitingApproval)
	}
	return nil
}

func (r *run) approve(ctx workflow.Context, sig ApproveSignal) {
	by := strings.ToLower(strings.TrimSpace(sig.By))
	d := Decision{Action: actionApprove, By: by, Comment: sig.Comment}
	if err := r.checkApprover(by); err != nil {
		d.Note = err.Error()
		r.record(ctx, d)
		return
	}
	d.Counted = true
	r.record(ctx, d)
	r.approvals[by] = true
	r.status.ApprovedBy = append(r.status.ApprovedBy, by)
}

func (r *run) reject(ctx workflow.Context, sig RejectSignal) {
	by := strings.ToLower(strings.TrimSpace(sig.By))
	d := Decision{Action: actionReject, By: by, Comment: sig.Reason}
	switch {
	case by == "":
		d.Note = `no approver given: send {"by":"you@example.com","reason":"…"}`
	case !r.isApprover(by):
		d.Note = fmt.Sprintf("%s is not an approver of edition %s", by, r.in.Edition)
	case r.decided():
		d.Note = fmt.Sprintf("edition %s is already decided", r.in.Edition)
	case r.status.Stage != StageAwaitingApproval:
		d.Note = fmt.Sprintf("edition %s is not awaiting approval (stage %s)", r.in.Edition, r.status.Stage)
	default:
		d.Counted = true
		r.rejected = true
		r.rejectReason = sig.Reason
		r.status.RejectedBy = by
	}
	r.record(ctx, d)
}

func (r *run) refresh(ctx workflow.Context, sig RefreshSignal) {
	d := Decision{Action: actionRefresh, By: strings.ToLower(strings.TrimSpace(sig.By))}
	// An approved edition waiting for its send time can still change:
	// the refresh voids its approvals if it does.
	scheduled := r.status.Stage == StageScheduled
	switch {
	case r.decided() && !scheduled:
		d.Note = fmt.Sprintf("edition %s is already decided", r.in.Edition)
	case r.status.Stage != StageAwaitingApproval && !scheduled:
		d.Note = fmt.Sprintf("edition %s is not awaiting approval (stage %s); refresh once it is", r.in.Edition, r.status.Stage)
	case r.status.Refreshes >= maxRefreshes:
		d.Note = fmt.Sprintf("this run has been refreshed %d times; reject it and start a new run", maxRefreshes)
	default:
		d.Counted = true
		r.refreshPending = true
	}
	r.record(ctx, d)
}

func (r *run) approvalSummary() string {
	if r.decided() {
		return fmt.Sprintf("approved: edition %s will be published", r.in.Edition)
	}
	return fmt.Sprintf("approval recorded: %d of %d", len(r.status.ApprovedBy), r.in.RequiredApprovals)
}

// awaitDecision waits for approval, rejection or the deadline, re-running
// the prepare steps on refresh. It returns an outcome when the run ends
// here, or "" when approved.
func (r *run) awaitDecision(ctx workflow.Context) (string, error) {
	if r.signed {
		return r.awaitSigned(ctx)
	}
	deadline := workflow.Now(ctx).Add(r.in.ApprovalTimeout.Std())
	r.status.ApprovalDeadline = deadline.UTC()
	r.setStage(ctx, StageAwaitingApproval)
	for {
		remaining := deadline.Sub(workflow.Now(ctx))
		ok, err := workflow.AwaitWithTimeout(ctx, remaining, func() bool { return r.decided() || r.refreshPending })
		if err != nil {
			return "", err
		}
		switch {
		case !ok:
			return OutcomeExpired, nil
		case r.rejected:
			return OutcomeRejected, nil
		case r.decided():
			return "", nil
		}
		r.refreshPending = false
		r.status.Refreshes++
		if _, err := r.prepare(ctx); err != nil {
			// The previous render stays up for approval; the editor can
			// fix the document and refresh again.
			r.status.Errors = append(r.status.Errors, "refresh failed, the previous version is still awaiting approval: "+reason(err))
		}
		r.setStage(ctx, StageAwaitingApproval)
	}
}
