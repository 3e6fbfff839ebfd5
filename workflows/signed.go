package workflows

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
)

// versionSignedApprovals marks runs whose decisions count only with a
// signed token bound to the content revision. Runs started before it keep
// the earlier rules, so their histories replay unchanged.
const versionSignedApprovals = "signed-approvals"

// actionRequestChanges is the decision that asks the editor for changes.
const actionRequestChanges = "request_changes"

// Problems a decision can have, stable for tools and the approvals
// service (they are also the type of a refused Update's error).
const (
	ProblemNoToken       = "no_token"
	ProblemUnverifiable  = "unverifiable"
	ProblemUsed          = "used"
	ProblemStale         = "stale"
	ProblemWrongRun      = "wrong_run"
	ProblemWrongAction   = "wrong_action"
	ProblemWrongApprover = "wrong_approver"
	ProblemNotApprover   = "not_approver"
	ProblemNotAwaiting   = "not_awaiting"
	ProblemDuplicate     = "duplicate"
	ProblemNoComment     = "no_comment"
	ProblemBadAccept     = "unknown_suggestion"
	// Token problems found by the signature check: malformed, forged, expired.
)

// DefaultReminders are how long before the deadline undecided approvers
// are reminded, besides half-way.
var DefaultReminders = []time.Duration{time.Hour}

// claim is a decision as received, before it is verified.
type claim struct {
	action, by, comment, token string
	// accept names suggestions an approval accepts (see accept).
	accept []string
	// social changes the social drafts (see editSocial).
	social []SocialEdit
}

// approveClaim is the claim of an approval.
func approveClaim(s ApproveSignal) claim {
	return claim{action: actionApprove, by: s.By, comment: s.Comment, token: s.Token, accept: acceptIDs(s), social: s.Social}
}

// registerSignedHandlers sets up the decisions of signed runs: the approve,
// reject and request_changes Updates and signals.
func (r *run) registerSignedHandlers(ctx workflow.Context) error {
	validator := func() error {
		if r.decided() {
			return fmt.Errorf("edition %s is already decided", r.in.Edition)
		}
		return nil
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprove,
		func(ctx workflow.Context, s ApproveSignal) (string, error) {
			return r.decideUpdate(ctx, approveClaim(s))
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, s ApproveSignal) error {
			if err := validator(); err != nil {
				return err
			}
			// Refused before the token is spent.
			if len(s.Accept) > 0 && len(s.Social) > 0 {
				return temporal.NewApplicationError(errAcceptAndEdit.Error(), ProblemBadSocialEdit)
			}
			if err := r.checkSocialEdits(s.Social); err != nil {
				return temporal.NewApplicationError(err.Error(), ProblemBadSocialEdit)
			}
			return r.checkAccept(acceptIDs(s))
		}}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReject,
		func(ctx workflow.Context, s RejectSignal) (string, error) {
			return r.decideUpdate(ctx, claim{action: actionReject, by: s.By, comment: s.Reason, token: s.Token})
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, s RejectSignal) error { return validator() }}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRequestChanges,
		func(ctx workflow.Context, s RequestChangesSignal) (string, error) {
			return r.decideUpdate(ctx, claim{action: actionRequestChanges, by: s.By, comment: s.Comment, token: s.Token})
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, s RequestChangesSignal) error { return validator() }}); err != nil {
		return err
	}
	listen(ctx, SignalApprove, func(ctx workflow.Context, raw converter.RawValue) {
		var s ApproveSignal
		if r.decode(ctx, actionApprove, raw, &s) {
			r.decide(ctx, approveClaim(s))
		}
	})
	listen(ctx, SignalReject, func(ctx workflow.Context, raw converter.RawValue) {
		var s RejectSignal
		if r.decode(ctx, actionReject, raw, &s) {
			r.decide(ctx, claim{action: actionReject, by: s.By, comment: s.Reason, token: s.Token})
		}
	})
	listen(ctx, SignalRequestChanges, func(ctx workflow.Context, raw converter.RawValue) {
		var s RequestChangesSignal
		if r.decode(ctx, actionRequestChanges, raw, &s) {
			r.decide(ctx, claim{action: actionRequestChanges, by: s.By, comment: s.Comment, token: s.Token})
		}
	})
	return nil
}

// decideUpdate answers an Update: the summary when the decision counted,
// else an error whose type is the Problem.
func (r *run) decideUpdate(ctx workflow.Context, c claim) (string, error) {
	d := r.decide(ctx, c)
	if d.Verified && len(c.accept) > 0 && d.Problem == "" {
		return fmt.Sprintf("suggestions accepted: edition %s is rendered again and a new proof sent; approve that one to publish", r.in.Edition), nil
	}
	if d.Verified && len(c.social) > 0 && d.Problem == "" {
		return fmt.Sprintf("social posts changed: edition %s is rendered again and a new proof sent; approve that one to publish", r.in.Edition), nil
	}
	if !d.Counted {
		return "", temporal.NewApplicationError(d.Note, d.Problem)
	}
	switch c.action {
	case actionReject:
		return fmt.Sprintf("rejected: edition %s will not be published", r.in.Edition), nil
	case actionRequestChanges:
		return fmt.Sprintf("changes requested: the editor is told; edition %s waits for a refresh or a decision", r.in.Edition), nil
	}
	return r.approvalSummary(), nil
}

// decide verifies a decision's token and counts it when it is valid, for
// this run, this revision, this action and the approver it names. Every
// decision is recorded, counted or not. A verified token is spent when it
// reaches the run, counted or not, so a token seen in history can never be
// used again.
func (r *run) decide(ctx workflow.Context, c claim) Decision {
	d := Decision{Action: c.action, By: strings.ToLower(strings.TrimSpace(c.by)), Comment: c.comment, Revision: r.content}
	refuse := func(problem, note string, args ...any) Decision {
		d.Problem, d.Note = problem, fmt.Sprintf(note, args...)
		r.record(ctx, d)
		return d
	}
	if strings.TrimSpace(c.token) == "" {
		return refuse(ProblemNoToken, "no token: only a decision carrying the approver's signed token from the proof email counts")
	}
	if c.action == actionRequestChanges && strings.TrimSpace(c.comment) == "" {
		return refuse(ProblemNoComment, "a request for changes needs a comment saying what to change")
	}
	var v activitytypes.VerifyResult
	if err := activitytypes.VerifyApproval.Execute(withOptions(ctx, verifyOptions), activitytypes.VerifyInput{Token: c.token}).Get(ctx, &v); err != nil {
		return refuse(ProblemUnverifiable, "the token could not be checked: %v", err)
	}
	// A refresh in progress decides which revision the token must match.
	if err := workflow.Await(ctx, func() bool { return !r.refreshing }); err != nil {
		return refuse(ProblemNotAwaiting, "the run ended while the token was checked: %v", err)
	}
	d.Revision = r.content
	if !v.Valid {
		return refuse(v.Problem, "%s", v.Message)
	}
	cl := v.Claims
	d.TokenID, d.KeyID, d.OperatorIssued, d.Via = cl.ID(), v.KeyID, cl.Operator, cl.Via
	info := workflow.GetInfo(ctx)
	switch {
	case r.usedTokens[cl.ID()]:
		return refuse(ProblemUsed, "this token was already used; each link works once")
	case cl.WorkflowID != info.WorkflowExecution.ID || cl.RunID != info.WorkflowExecution.RunID:
		r.usedTokens[cl.ID()] = true
		return refuse(ProblemWrongRun, "the token is for run %s of %s, not this run", cl.RunID, cl.WorkflowID)
	}
	r.usedTokens[cl.ID()] = true
	switch {
	case cl.Action != c.action:
		return refuse(ProblemWrongAction, "the token allows %s, not %s", cl.Action, c.action)
	case cl.Approver != d.By:
		return refuse(ProblemWrongApprover, "the token was issued to %s, not %s", cl.Approver, d.By)
	case cl.Revision != r.content:
		return refuse(ProblemStale, "the edition changed after this token was sent (token revision %.12s, now %.12s); a new proof has gone out", cl.Revision, r.content)
	case !r.isApprover(d.By):
		return refuse(ProblemNotApprover, "%s is not an approver of edition %s", d.By, r.in.Edition)
	case r.decided():
		return refuse(ProblemNotAwaiting, "edition %s is already decided", r.in.Edition)
	case r.status.Stage != StageAwaitingApproval:
		return refuse(ProblemNotAwaiting, "edition %s is not awaiting approval (stage %s)", r.in.Edition, r.status.Stage)
	case c.action == actionApprove && len(c.accept) > 0 && len(c.social) > 0:
		return refuse(ProblemBadSocialEdit, "%s", errAcceptAndEdit.Error())
	case c.action == actionApprove && len(c.social) > 0:
		if err := r.checkSocialEdits(c.social); err != nil {
			return refuse(ProblemBadSocialEdit, "%s", err.Error())
		}
		d.Verified = true
		r.editSocial(ctx, d, c.social)
		return d
	case c.action == actionApprove && len(c.accept) > 0:
		if err := r.checkAccept(c.accept); err != nil {
			return refuse(ProblemBadAccept, "%s", err.Error())
		}
		d.Verified = true
		r.accept(ctx, d, c.accept)
		return d
	case c.action == actionApprove && r.approvals[d.By]:
		return refuse(ProblemDuplicate, "%s has already approved this revision", d.By)
	}
	d.Verified, d.Counted = true, true
	r.record(ctx, d)
	switch c.action {
	case actionApprove:
		r.approvals[d.By] = true
		r.approvedPrints[d.By] = r.prints
		r.status.ApprovedBy = append(r.status.ApprovedBy, d.By)
	case actionReject:
		r.rejected, r.rejectReason, r.status.RejectedBy = true, c.comment, d.By
	case actionRequestChanges:
		r.requestChanges(ctx, d)
	}
	r.status.Pending = r.pending()
	return d
}

// requestChanges records the request, withdraws the requester's own
// approval, and tells the other approvers and the editors.
func (r *run) requestChanges(ctx workflow.Context, d Decision) {
	r.status.ChangeRequests = append(r.status.ChangeRequests, ChangeRequest{By: d.By, Comment: d.Comment, Revision: d.Revision, At: d.At})
	if r.approvals[d.By] {
		r.voidApprovalsOf(d.By, fmt.Sprintf("withdrawn: %s asked for changes", d.By))
	}
	var notify []string
	for _, ap := range r.in.Approvers {
		if ap != d.By {
			notify = append(notify, ap)
		}
	}
	in := activitytypes.ChangesRequestedInput{NewsletterID: fmt.Sprintf("%s-changes-%d", r.id, len(r.status.ChangeRequests)),
		Edition: r.in.Edition, WorkflowID: r.id, By: d.By, Comment: d.Comment, Notify: notify}
	var res activitytypes.ProofResult
	if err := activitytypes.NotifyChangesRequested.Execute(withOptions(ctx, proofOptions), in).Get(ctx, &res); err != nil {
		r.status.Errors = append(r.status.Errors, "request for changes not emailed: "+reason(err))
	}
}

// voidApprovalsOf voids the counted approvals of by (all approvers when
// by is empty), keeping them in the audit trail with the reason.
func (r *run) voidApprovalsOf(by, reason string) {
	for i := range r.status.Decisions {
		d := &r.status.Decisions[i]
		if d.Action == actionApprove && d.Counted && !d.Voided && (by == "" || d.By == by) {
			d.Voided, d.VoidReason = true, reason
		}
	}
	if by == "" {
		r.approvals = map[string]bool{}
		r.approvedPrints = map[string][]content.SectionPrint{}
		r.status.ApprovedBy = nil
	} else {
		delete(r.approvals, by)
		delete(r.approvedPrints, by)
		r.status.ApprovedBy = slices.DeleteFunc(slices.Clone(r.status.ApprovedBy), func(s string) bool { return s == by })
	}
	r.status.Pending = r.pending()
}

// voidOnChange voids every approval after the content changed from
// before, and returns what changed since each voided approval.
func (r *run) voidOnChange(ctx workflow.Context, before string) map[string][]content.SectionChange {
	since := map[string][]content.SectionChange{}
	if before == "" || len(r.approvals) == 0 {
		return since
	}
	for _, ap := range r.in.Approvers {
		prints, ok := r.approvedPrints[ap]
		switch {
		case !ok:
		case r.artifacts:
			// Runs on the artifact store keep no section texts in the
			// workflow: the proof says the approval was voided and lists
			// the changes since the last edition.
			since[ap] = nil
		default:
			since[ap] = content.Compare(prints, r.parsed)
		}
	}
	reason := fmt.Sprintf("the edition changed after this approval (revision %.12s became %.12s on refresh %d)", before, r.content, r.status.Refreshes)
	r.voidApprovalsOf("", reason)
	workflow.GetLogger(ctx).Info("content changed; approvals voided", "edition", r.in.Edition, "voided", len(since))
	return since
}

// pending lists the approvers who have neither approved nor asked for
// changes on the current revision.
func (r *run) pending() []string {
	asked := map[string]bool{}
	for _, cr := range r.status.ChangeRequests {
		if cr.Revision == r.content {
			asked[cr.By] = true
		}
	}
	var out []string
	for _, ap := range r.in.Approvers {
		if !r.approvals[ap] && !asked[ap] {
			out = append(out, ap)
		}
	}
	return out
}

// approvalDeadline fixes the deadline the first time it is asked for:
// tokens in the first proof expire then.
func (r *run) approvalDeadline(ctx workflow.Context) time.Time {
	if r.deadline.IsZero() {
		r.deadline = workflow.Now(ctx).Add(r.in.ApprovalTimeout.Std()).UTC()
		r.status.ApprovalDeadline = r.deadline
	}
	return r.deadline
}

// sendSignedProof mails each approver in to the proof with their own
// tokens. A failed proof is reported in status and does not stop the run.
func (r *run) sendSignedProof(ctx workflow.Context, to []string, since map[string][]content.SectionChange, reminder bool) {
	if len(to) == 0 {
		return
	}
	id := r.proofID()
	if reminder {
		id = fmt.Sprintf("%s-reminder-%d-%d", r.id, r.status.Refreshes, r.status.RemindersSent+1)
	}
	info := workflow.GetInfo(ctx)
	in := activitytypes.ProofInput{NewsletterID: id, Email: r.preview.Output.Email, Approvers: to, EmailOnly: r.preview.Output.EmailOnly,
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID, Edition: r.in.Edition,
		Revision: r.content, Deadline: r.approvalDeadline(ctx), Reminder: reminder, Changes: r.status.Changes, ChangesSince: since,
		Suggestions: r.preview.Suggestions, LastEdition: r.status.LastEdition, Social: r.socialPlan()}
	if r.sendControl {
		in.SendControlUntil = r.sendControlUntil(ctx)
	}
	if r.rendered != nil {
		in.EmailRef, in.EmailOnly, in.Warnings = r.rendered.EmailRef(), r.rendered.EmailOnly, r.rendered.Warnings
		if len(r.socialEdit.notes) > 0 {
			in.Warnings = append(slices.Clip(in.Warnings), r.socialEdit.notes...)
		}
	}
	var res activitytypes.ProofResult
	if err := activitytypes.SendProof.Execute(withOptions(ctx, proofOptions), in).Get(ctx, &res); err != nil {
		r.status.Errors = append(r.status.Errors, "proof not sent: "+reason(err))
		return
	}
	if reminder {
		r.status.RemindersSent++
		return
	}
	r.status.ProofSentTo = res.SentTo
}

// reminderTimes are the instants before deadline at which undecided
// approvers are reminded, earliest first.
func (r *run) reminderTimes(deadline time.Time) []time.Time {
	timeout := r.in.ApprovalTimeout.Std()
	offsets := append([]time.Duration{timeout / 2}, DefaultReminders...)
	if len(r.in.Reminders) > 0 {
		offsets = offsets[:0]
		for _, d := range r.in.Reminders {
			offsets = append(offsets, d.Std())
		}
	}
	var out []time.Time
	for _, o := range offsets {
		if o > 0 && o < timeout {
			out = append(out, deadline.Add(-o))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// awaitSigned waits for approval, rejection or the deadline, reminding
// undecided approvers on the way and re-rendering on refresh. It returns
// an outcome when the run ends here, or "" when approved.
func (r *run) awaitSigned(ctx workflow.Context) (string, error) {
	deadline := r.approvalDeadline(ctx)
	r.status.Pending = r.pending()
	r.setStage(ctx, StageAwaitingApproval)
	reminders := r.reminderTimes(deadline)
	for {
		now := workflow.Now(ctx)
		for len(reminders) > 0 && !reminders[0].After(now) {
			reminders = reminders[1:]
		}
		wake := deadline
		if len(reminders) > 0 {
			wake = reminders[0]
		}
		ok, err := workflow.AwaitWithTimeout(ctx, wake.Sub(now), func() bool {
			return r.decided() || r.refreshPending || r.ai.pending != nil || r.socialEdit.pending != nil
		})
		if err != nil {
			return "", err
		}
		switch {
		case !ok && wake.Before(deadline):
			reminders = reminders[1:]
			r.sendSignedProof(ctx, r.pending(), nil, true)
			continue
		case !ok:
			r.notAnswered = r.pending()
			return OutcomeTimedOut, nil
		case r.rejected:
			return OutcomeRejected, nil
		case r.ai.pending != nil:
			// Accepted suggestions change the edition, even when an
			// approval of the old version arrived meanwhile.
			r.refreshing = true
			r.applyAccepted(ctx)
			r.refreshing = false
			r.status.Pending = r.pending()
			r.setStage(ctx, StageAwaitingApproval)
			continue
		case r.socialEdit.pending != nil:
			r.refreshing = true
			r.applySocialEdits(ctx)
			r.refreshing = false
			r.status.Pending = r.pending()
			r.setStage(ctx, StageAwaitingApproval)
			continue
		case r.decided():
			return "", nil
		}
		r.refreshPending = false
		r.status.Refreshes++
		r.refreshing = true
		if _, err := r.prepare(ctx); err != nil {
			r.status.Errors = append(r.status.Errors, "refresh failed, the previous version is still awaiting approval: "+reason(err))
		}
		r.refreshing = false
		r.status.Pending = r.pending()
		r.setStage(ctx, StageAwaitingApproval)
	}
}
