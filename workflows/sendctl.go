package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/sendtime"
)

// versionSendControl marks runs that can send later, pause, resume and
// cancel their send, and make test sends. Earlier runs replay unchanged.
const versionSendControl = "send-control"

// Send-control actions: the names of the signals, the Updates and the
// tokens that allow them.
const (
	actionPauseSend  = "pause_send"
	actionResumeSend = "resume_send"
	actionCancelSend = "cancel_send"
)

// Send states, as Status.Delivery.State shows them.
const (
	SendScheduled = "scheduled"
	SendSending   = "sending"
	SendPaused    = "paused"
	SendCancelled = "cancelled"
	SendSent      = "sent"
)

// ProblemNotSending refuses a send control when there is no send to
// control (not approved yet, or already sent).
const ProblemNotSending = "not_sending"

// delivery is the send-control state of a run.
type delivery struct {
	due              time.Time // the edition's send time; zero: at approval
	pause, cancelReq bool
}

// setupDelivery resolves the run's send time. The time-zone database is
// read in a side effect, so a replay uses the recorded answer.
func (r *run) setupDelivery(ctx workflow.Context) error {
	r.status.Delivery = &DeliveryStatus{Window: r.in.Window}
	if err := sendtime.ValidWindow(r.in.Window); err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), "InvalidInput", nil)
	}
	if strings.TrimSpace(r.in.SendAt) == "" {
		return nil
	}
	start := scheduledStart(ctx)
	var res struct {
		Due time.Time
		Err string
	}
	err := workflow.SideEffect(ctx, func(workflow.Context) any {
		spec, err := sendtime.Parse(r.in.SendAt)
		if err != nil {
			return struct {
				Due time.Time
				Err string
			}{Err: err.Error()}
		}
		return struct {
			Due time.Time
			Err string
		}{Due: spec.In(spec.First(start))}
	}).Get(&res)
	if err != nil {
		return err
	}
	if res.Err != "" {
		return temporal.NewNonRetryableApplicationError(res.Err, "InvalidInput", nil)
	}
	r.dl.due = res.Due
	r.status.Delivery.SendAt = res.Due
	return nil
}

// sendingAt is when an edition approved now goes out.
func (r *run) sendingAt(ctx workflow.Context) (time.Time, error) {
	now := workflow.Now(ctx)
	if r.dl.due.IsZero() {
		return now, nil
	}
	var at time.Time
	err := workflow.SideEffect(ctx, func(workflow.Context) any {
		spec, err := sendtime.Parse(r.in.SendAt)
		if err != nil {
			return now
		}
		return spec.Next(r.dl.due, r.in.Window, now)
	}).Get(&at)
	return at, err
}

// awaitSendTime holds an approved edition until its send time. A refresh
// meanwhile re-renders; a change voids the approvals, and it returns
// false so the run waits for approval again. It also returns false when
// the send is cancelled before it starts.
func (r *run) awaitSendTime(ctx workflow.Context) (bool, error) {
	at, err := r.sendingAt(ctx)
	if err == nil && r.tz.on {
		at, err = r.planTZGroups(ctx, at)
	}
	if err != nil {
		return false, err
	}
	d := r.status.Delivery
	if !at.After(workflow.Now(ctx)) {
		return true, nil
	}
	d.SendingAt, d.State = at, SendScheduled
	d.Summary = fmt.Sprintf("approved, sending at %s", at.Format("2006-01-02 15:04 -07:00"))
	r.setStage(ctx, StageScheduled)
	workflow.GetLogger(ctx).Info("approved; waiting for the send time", "edition", r.in.Edition, "sendingAt", at)
	for {
		ok, err := workflow.AwaitWithTimeout(ctx, at.Sub(workflow.Now(ctx)), func() bool { return r.refreshPending || r.dl.cancelReq })
		switch {
		case err != nil:
			return false, err
		case !ok:
			return true, nil
		case r.dl.cancelReq:
			return false, nil
		}
		r.refreshPending = false
		r.status.Refreshes++
		r.refreshing = true
		if _, err := r.prepare(ctx); err != nil {
			r.status.Errors = append(r.status.Errors, "refresh failed, the approved version is still scheduled: "+reason(err))
		}
		r.refreshing = false
		r.status.Pending = r.pending()
		if !r.decided() {
			d.SendingAt, d.State, d.Summary = time.Time{}, "", "the edition changed before its send time: approvals voided, approve the new version"
			return false, nil
		}
		r.setStage(ctx, StageScheduled)
	}
}

// sendControlled runs the send activity until it finishes, holding it
// while paused: a pause or cancel cancels the activity, which lets the
// batches in flight finish and reports its progress; a resume starts a
// new activity at that cursor. p is the send's progress (the run's, or a
// time-zone group's). It reports whether the send was cancelled.
func (r *run) sendControlled(ctx workflow.Context, in activitytypes.SendInput, p *activitytypes.SendProgress) (bool, error) {
	d := r.status.Delivery
	opts := sendOptions
	opts.WaitForCancellation = true
	for {
		switch {
		case r.dl.cancelReq:
			return true, nil
		case r.dl.pause:
			d.State, d.Summary = SendPaused, fmt.Sprintf("paused after %d recipients", r.sentSoFar())
			r.setStage(ctx, StagePaused)
			r.progressed()
			if err := workflow.Await(ctx, func() bool { return !r.dl.pause || r.dl.cancelReq }); err != nil {
				return false, err
			}
			continue
		}
		d.State, d.Summary = SendSending, "sending"
		r.setStage(ctx, StageSending)
		r.progressed()
		if p.Pages > 0 {
			resume := *p
			in.Resume = &resume
		}
		actx, stop := workflow.WithCancel(ctx)
		f := activitytypes.SendNewsletter.Execute(withOptions(actx, opts), in)
		if err := workflow.Await(ctx, func() bool { return f.IsReady() || r.dl.pause || r.dl.cancelReq }); err != nil {
			stop()
			return false, err
		}
		stopped := !f.IsReady()
		stop()
		var prog activitytypes.SendProgress
		err := f.Get(ctx, &prog)
		if err == nil {
			*p = prog
			r.progressed()
			if prog.Done {
				d.State, d.Summary = SendSent, "sent"
				return false, nil
			}
			continue
		}
		if !stopped {
			return false, stepError("send newsletter", err)
		}
		var ce *temporal.CanceledError
		if errors.As(err, &ce) && ce.HasDetails() && ce.Details(&prog) == nil && prog.Pages >= p.Pages {
			*p = prog
			r.progressed()
		}
	}
}

// sentSoFar is how many recipients the CRM has been handed.
func (r *run) sentSoFar() int {
	s := r.status.Send
	return s.Accepted + s.Duplicate + s.Rejected
}

// finishCancelled reports a cancelled send: how many were sent and who
// was not, listed in the artifact store.
func (r *run) finishCancelled(ctx workflow.Context, in activitytypes.SendInput) {
	d := r.status.Delivery
	d.State = SendCancelled
	in.Resume = nil
	rin := activitytypes.UnsentInput{NewsletterID: in.NewsletterID, Edition: r.in.Edition, Audience: in.Audience, Cursor: r.status.Send.Cursor, Started: r.status.Send.Pages > 0}
	var rep activitytypes.UnsentReport
	if err := activitytypes.ReportUnsent.Execute(withOptions(ctx, reportOptions), rin).Get(ctx, &rep); err != nil {
		r.status.Errors = append(r.status.Errors, "list of recipients not sent unavailable: "+reason(err))
	} else {
		d.Unsent = &rep
	}
	sent := r.status.Send.Accepted + r.status.Send.Duplicate
	d.Summary = fmt.Sprintf("cancelled: %d sent, %d not sent", sent, d.unsentCount())
}

func (d *DeliveryStatus) unsentCount() int {
	if d.Unsent != nil {
		return d.Unsent.Count
	}
	return 0
}

// registerSendControl sets up the pause_send, resume_send and cancel_send
// signals and Updates.
func (r *run) registerSendControl(ctx workflow.Context) error {
	for _, action := range []string{actionPauseSend, actionResumeSend, actionCancelSend} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, action,
			func(ctx workflow.Context, s SendControlSignal) (string, error) {
				ev := r.control(ctx, action, s)
				if ev.Problem != "" {
					return "", temporal.NewApplicationError(ev.Note, ev.Problem)
				}
				return ev.Note, nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, s SendControlSignal) error {
				if p, note := r.controlProblem(action); p != "" {
					return temporal.NewApplicationError(note, p)
				}
				return nil
			}}); err != nil {
			return err
		}
		listen(ctx, action, func(ctx workflow.Context, raw converter.RawValue) {
			var s SendControlSignal
			if r.decode(ctx, action, raw, &s) {
				r.control(ctx, action, s)
			}
		})
	}
	return r.registerTestSend(ctx)
}

// controlProblem says why action cannot apply now, or "".
func (r *run) controlProblem(action string) (string, string) {
	st := r.status.Delivery.State
	switch action {
	case actionPauseSend:
		if r.dl.pause && !r.dl.cancelReq {
			return ProblemDuplicate, "the send is already paused"
		}
		if (st == SendScheduled || st == SendSending) && !r.dl.cancelReq {
			return "", ""
		}
	case actionResumeSend:
		if r.dl.pause && !r.dl.cancelReq {
			return "", ""
		}
	case actionCancelSend:
		if (st == SendScheduled || st == SendSending || st == SendPaused) && !r.dl.cancelReq {
			return "", ""
		}
	}
	return ProblemNotSending, fmt.Sprintf("edition %s has no send to %s (send state %q, stage %s)", r.in.Edition, strings.TrimSuffix(action, "_send"), st, r.status.Stage)
}

// control verifies a send control's token and applies it. Approvers use
// a token for this action and revision; an operator's token (minted with
// the signing key) may name anyone. Every control is recorded.
func (r *run) control(ctx workflow.Context, action string, s SendControlSignal) SendControlEvent {
	ev := SendControlEvent{Action: action, By: strings.ToLower(strings.TrimSpace(s.By)), Reason: s.Reason}
	refuse := func(problem, note string, args ...any) SendControlEvent {
		ev.Problem, ev.Note = problem, fmt.Sprintf(note, args...)
		r.recordControl(ctx, ev)
		return ev
	}
	if strings.TrimSpace(s.Token) == "" {
		return refuse(ProblemNoToken, "no token: pausing, resuming or cancelling a send needs an approver's token or an operator's (starter send %s --mint)", strings.TrimSuffix(action, "_send"))
	}
	var v activitytypes.VerifyResult
	if err := activitytypes.VerifyApproval.Execute(withOptions(ctx, verifyOptions), activitytypes.VerifyInput{Token: s.Token}).Get(ctx, &v); err != nil {
		return refuse(ProblemUnverifiable, "the token could not be checked: %v", err)
	}
	if !v.Valid {
		return refuse(v.Problem, "%s", v.Message)
	}
	cl := v.Claims
	ev.TokenID, ev.OperatorIssued = cl.ID(), cl.Operator
	info := workflow.GetInfo(ctx)
	switch {
	case r.usedTokens[cl.ID()]:
		return refuse(ProblemUsed, "this token was already used; each token works once")
	case cl.WorkflowID != info.WorkflowExecution.ID || cl.RunID != info.WorkflowExecution.RunID:
		r.usedTokens[cl.ID()] = true
		return refuse(ProblemWrongRun, "the token is for run %s of %s, not this run", cl.RunID, cl.WorkflowID)
	}
	r.usedTokens[cl.ID()] = true
	switch {
	case cl.Action != action:
		return refuse(ProblemWrongAction, "the token allows %s, not %s", cl.Action, action)
	case cl.Approver != ev.By:
		return refuse(ProblemWrongApprover, "the token was issued to %s, not %s", cl.Approver, ev.By)
	case !cl.Operator && !r.isApprover(ev.By):
		return refuse(ProblemNotApprover, "%s is not an approver of edition %s", ev.By, r.in.Edition)
	case !cl.Operator && cl.Revision != r.content:
		return refuse(ProblemStale, "the token is for revision %.12s, the approved edition is %.12s", cl.Revision, r.content)
	}
	if p, note := r.controlProblem(action); p != "" {
		return refuse(p, "%s", note)
	}
	ev.Counted = true
	switch action {
	case actionPauseSend:
		r.dl.pause = true
		ev.Note = fmt.Sprintf("pausing edition %s: the batches in flight finish, then it holds", r.in.Edition)
		if d := r.status.Delivery; d.State == SendScheduled {
			ev.Note = fmt.Sprintf("edition %s is held: it will not go out at %s until resumed", r.in.Edition, d.SendingAt.Format("2006-01-02 15:04 -07:00"))
			d.Summary += "; paused: held until resumed"
		}
	case actionResumeSend:
		r.dl.pause = false
		ev.Note = fmt.Sprintf("resuming edition %s where it stopped", r.in.Edition)
		if d := r.status.Delivery; d.State == SendScheduled {
			d.Summary = strings.TrimSuffix(d.Summary, "; paused: held until resumed")
		}
	case actionCancelSend:
		r.dl.cancelReq = true
		ev.Note = fmt.Sprintf("cancelling edition %s: the batches in flight finish; the rest is not sent", r.in.Edition)
	}
	r.recordControl(ctx, ev)
	return ev
}

func (r *run) recordControl(ctx workflow.Context, ev SendControlEvent) {
	ev.At = workflow.Now(ctx).UTC()
	ev.SentSoFar = r.sentSoFar()
	d := r.status.Delivery
	d.Controls = append(d.Controls, ev)
	if !ev.Counted {
		workflow.GetLogger(ctx).Warn("send control not applied", "action", ev.Action, "by", ev.By, "note", ev.Note)
	}
}

// reportOptions: listing who a cancelled send missed pages the CRM.
var reportOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Minute,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy:         retry(time.Second, time.Minute, 10),
}

// registerTestSend sets up the test_send Update: allowed once the edition
// is rendered and until it is sent.
func (r *run) registerTestSend(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateTestSend,
		func(ctx workflow.Context, req TestSendRequest) (TestSendRecord, error) {
			return r.testSend(ctx, req)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req TestSendRequest) error {
			if len(req.To) == 0 {
				return fmt.Errorf(`a test send needs addresses or seed lists: send {"to":["you@example.com","seed-list"]}`)
			}
			switch r.status.Stage {
			case StageAwaitingApproval, StageScheduled:
				return nil
			}
			return fmt.Errorf("edition %s has no edition to test (stage %s): test sends work while it awaits approval or is scheduled", r.in.Edition, r.status.Stage)
		}})
}

// testSend sends the rendered variants to the test addresses under a
// newsletter ID of its own, so it never counts as the send.
func (r *run) testSend(ctx workflow.Context, req TestSendRequest) (TestSendRecord, error) {
	d := r.status.Delivery
	rec := TestSendRecord{By: strings.ToLower(strings.TrimSpace(req.By)), At: workflow.Now(ctx).UTC(),
		NewsletterID: fmt.Sprintf("%s-test-%d", r.id, len(d.TestSends)+1), Requested: req.To}
	in := activitytypes.TestSendInput{NewsletterID: rec.NewsletterID, To: req.To}
	if r.rendered != nil {
		m := r.rendered.Manifest
		in.Manifest = &m
	} else {
		in.Variants = r.preview.Output.Variants
	}
	var res activitytypes.TestSendResult
	err := activitytypes.TestSend.Execute(withOptions(ctx, proofOptions), in).Get(ctx, &res)
	if err != nil {
		rec.Error = reason(err)
	}
	rec.SentTo, rec.Messages = res.SentTo, res.Messages
	d.TestSends = append(d.TestSends, rec)
	if err != nil {
		return rec, temporal.NewApplicationError("test send: "+rec.Error, "TestSendFailed")
	}
	return rec, nil
}

// sendControlWindow is how long after the approval deadline, or the send
// time when later, approvers' send-control tokens stay valid.
const sendControlWindow = 7 * 24 * time.Hour

func (r *run) sendControlUntil(ctx workflow.Context) time.Time {
	until := r.approvalDeadline(ctx)
	if r.dl.due.After(until) {
		until = r.dl.due
	}
	return until.Add(sendControlWindow).UTC()
}
