package workflows

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/internal/fakes"
)

// sendStarts records when each SendNewsletter activity started, on the
// test environment's clock.
func (h *harness) sendStarts() *[]time.Time {
	var starts []time.Time
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "SendNewsletter" {
			starts = append(starts, h.env.Now())
		}
	})
	return &starts
}

// operatorToken mints an operator's send-control token for the run, as
// 'starter send … --mint' does.
func (h *harness) operatorToken(t *testing.T, by, action string) string {
	t.Helper()
	keys, err := token.ParseKeys(testSigningKey)
	if err != nil {
		t.Fatal(err)
	}
	st := h.status(t)
	// The test environment runs every workflow under this ID.
	tok, err := keys.Mint(token.Claims{WorkflowID: "default-test-workflow-id", RunID: st.RunID, Edition: st.Edition, Revision: st.ContentRevision,
		Approver: by, Action: action, Expires: h.env.Now().Add(time.Hour).Unix(), Operator: true})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var sendDay = time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC)

func sendLaterInput() Input {
	in := input()
	in.ApprovalTimeout = Duration(48 * time.Hour)
	in.SendAt = "2026-12-07T10:00:00+01:00" // 09:00 UTC
	return in
}

// Approved at 08:00 with a send time of 09:00, the edition waits on a
// durable timer and goes out at 09:00, not before.
func TestApprovalBeforeSendTimeWaitsForIt(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(sendDay)
	starts := h.sendStarts()
	h.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StageScheduled || st.Delivery == nil || !strings.Contains(st.Delivery.Summary, "approved, sending at 2026-12-07 10:00 +01:00") {
			t.Errorf("at 08:30: stage %s, delivery %+v; want scheduled, approved, sending at 10:00 +01:00", st.Stage, st.Delivery)
		}
		if len(*starts) != 0 {
			t.Error("the send started before its time")
		}
	}, 90*time.Minute)
	res := h.run(t, sendLaterInput())
	if res.Outcome != OutcomeSent || len(*starts) != 1 {
		t.Fatalf("outcome %q, %d sends", res.Outcome, len(*starts))
	}
	if want := sendDay.Add(2 * time.Hour); !(*starts)[0].Equal(want) {
		t.Errorf("sent at %s, want %s", (*starts)[0].UTC(), want)
	}
	if n := len(h.crm.Delivered(WorkflowID("2026-W48"))); n != 5 {
		t.Errorf("%d recipients reached, want 5", n)
	}
}

// A change at 08:30 voids the 08:00 approval: nothing goes out at 09:00;
// the new version approved at 09:30, after the send time, goes at once.
func TestChangeBeforeSendTimeVoidsApproval(t *testing.T) {
	h := newHarness(t, testDoc("Old tip."), testDoc("New tip: breathe through the nose."))
	h.env.SetStartTime(sendDay)
	starts := h.sendStarts()
	h.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.signalAt(90*time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StageAwaitingApproval || len(st.ApprovedBy) != 0 || !st.Decisions[0].Voided {
			t.Errorf("at 09:15: stage %s, approved by %v, first decision %+v; want the approval voided and waiting", st.Stage, st.ApprovedBy, st.Decisions[0])
		}
		if len(*starts) != 0 {
			t.Error("the voided approval was sent at 09:00")
		}
	}, 135*time.Minute)
	h.signedAt(150*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	res := h.run(t, sendLaterInput())
	if res.Outcome != OutcomeSent || len(*starts) != 1 {
		t.Fatalf("outcome %q, %d sends", res.Outcome, len(*starts))
	}
	if want := sendDay.Add(150 * time.Minute); !(*starts)[0].Equal(want) {
		t.Errorf("late approval sent at %s, want at once (%s)", (*starts)[0].UTC(), want)
	}
	if !strings.Contains(h.platform.Published()[0].BodyHTML, "breathe through the nose") {
		t.Error("the old version was published")
	}
}

// With a daily window, an approval after the send time waits for the same
// time the next day.
func TestLateApprovalWaitsForNextWindow(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(sendDay)
	starts := h.sendStarts()
	h.signedAt(3*time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	in := sendLaterInput()
	in.Window = "daily"
	res := h.run(t, in)
	if res.Outcome != OutcomeSent || len(*starts) != 1 {
		t.Fatalf("outcome %q, %d sends", res.Outcome, len(*starts))
	}
	if want := sendDay.Add(26 * time.Hour); !(*starts)[0].Equal(want) {
		t.Errorf("sent at %s, want the next window %s", (*starts)[0].UTC(), want)
	}
}

// A weekly slot in a named zone resolves against the run's start.
func TestWeeklySendSlot(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(sendDay) // Monday 07:00 UTC = 07:00 in London
	starts := h.sendStarts()
	h.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	in := input()
	in.ApprovalTimeout = Duration(48 * time.Hour)
	in.SendAt = "Monday 09:00 Europe/London"
	if res := h.run(t, in); res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if want := sendDay.Add(2 * time.Hour); len(*starts) != 1 || !(*starts)[0].Equal(want) {
		t.Errorf("sends %v, want one at %s", *starts, want)
	}
}

func TestBadSendTimeFailsClearly(t *testing.T) {
	h := newHarness(t)
	in := input()
	in.SendAt = "Someday 09:00"
	h.env.ExecuteWorkflow(WorkflowName, in)
	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), "not a weekday") {
		t.Fatalf("workflow error %v, want one naming the bad weekday", err)
	}
}

// Cancelling a scheduled send needs a token; with an operator's token the
// run ends cancelled, nobody is sent, and the report lists everyone.
func TestCancelScheduledSend(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(sendDay)
	starts := h.sendStarts()
	h.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	var noToken, cancelled error
	var msg string
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateCancelSend, "c1", &updateCallbacks{complete: func(_ any, err error) { noToken = err }},
			SendControlSignal{By: "ana@example.com"})
		h.env.UpdateWorkflow(UpdateCancelSend, "c2", &updateCallbacks{complete: func(v any, err error) { msg, _ = v.(string); cancelled = err }},
			SendControlSignal{By: "ops@example.com", Token: h.operatorToken(t, "ops@example.com", token.ActionCancelSend), Reason: "wrong week"})
	}, 90*time.Minute)
	res := h.run(t, sendLaterInput())
	var appErr *temporal.ApplicationError
	if !errors.As(noToken, &appErr) || appErr.Type() != ProblemNoToken {
		t.Errorf("cancel without a token: %v, want %s", noToken, ProblemNoToken)
	}
	if cancelled != nil || !strings.Contains(msg, "cancelling") {
		t.Errorf("operator's cancel: %q, %v", msg, cancelled)
	}
	if res.Outcome != OutcomeCancelled || len(*starts) != 0 || len(h.crm.Delivered(WorkflowID("2026-W48"))) != 0 {
		t.Fatalf("outcome %q, %d sends, delivered %v; want cancelled, nothing sent", res.Outcome, len(*starts), h.crm.Delivered(WorkflowID("2026-W48")))
	}
	if d := res.Delivery; d == nil || len(d.Controls) != 2 || d.Controls[1].Counted != true || !d.Controls[1].OperatorIssued {
		t.Errorf("controls %+v", res.Delivery)
	}
}

// A test send goes to the given address and seed list under its own
// newsletter ID, marked [Test]; the real send still reaches every
// recipient, the tested address included.
func TestTestSendDoesNotCountAsTheSend(t *testing.T) {
	h := newHarness(t)
	h.acts.SeedLists = map[string][]string{"qa": {"qa1@example.com", "Reader2@example.com"}}
	var rec TestSendRecord
	var recErr, unknownErr error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateTestSend, "t1", &updateCallbacks{complete: func(v any, err error) { rec, _ = v.(TestSendRecord); recErr = err }},
			TestSendRequest{By: "ed@example.com", To: []string{"reader1@example.com", "qa"}})
		h.env.UpdateWorkflow(UpdateTestSend, "t2", &updateCallbacks{complete: func(v any, err error) { unknownErr = err }},
			TestSendRequest{To: []string{"nosuchlist"}})
	}, 30*time.Second)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if recErr != nil || strings.Join(rec.SentTo, ",") != "reader1@example.com,qa1@example.com,reader2@example.com" {
		t.Fatalf("test send: %+v, %v", rec, recErr)
	}
	if unknownErr == nil || !strings.Contains(unknownErr.Error(), "unknown seed list") || !strings.Contains(unknownErr.Error(), "qa") {
		t.Errorf("unknown seed list: %v", unknownErr)
	}
	var testIDs []string
	for _, id := range h.crm.Newsletters() {
		if strings.HasPrefix(id, rec.NewsletterID) {
			testIDs = append(testIDs, id)
		}
	}
	if len(testIDs) == 0 {
		t.Fatalf("no test newsletter at the CRM: %v", h.crm.Newsletters())
	}
	for _, req := range h.crm.Requests {
		if strings.HasPrefix(req.NewsletterID, rec.NewsletterID) && !strings.HasPrefix(req.Variants[0].Subject, "[Test] ") {
			t.Errorf("test subject %q not marked [Test]", req.Variants[0].Subject)
		}
	}
	if res.Outcome != OutcomeSent || res.Send.Accepted != 5 || res.Send.Duplicate != 0 {
		t.Fatalf("real send after a test send: %q %+v", res.Outcome, res.Send)
	}
	if d := h.crm.Delivered(WorkflowID("2026-W48")); len(d) != 5 || d["reader1@example.com"] != 1 || d["reader2@example.com"] != 1 {
		t.Errorf("real send delivered %v; want all 5, test addresses included", d)
	}
}

// sendToken finds the approver's send-control token in the newest proof.
func (h *harness) sendToken(by, verb string) string {
	re := regexp.MustCompile(`starter send ` + verb + ` --workflow-id \S+ --by '[^']+' --token (\S+)`)
	for i := len(h.crm.Requests) - 1; i >= 0; i-- {
		for _, m := range h.crm.Requests[i].Messages {
			if strings.EqualFold(m.To, by) {
				// A signed proof carries the approver's commands as merge values.
				if sub := re.FindStringSubmatch(fakes.Resolve(h.crm.Requests[i], m).Text); sub != nil {
					return sub[1]
				}
			}
		}
	}
	return ""
}

// An approver pauses the scheduled send with the token from their proof:
// at the send time it holds; resumed at 10:00, it goes out then.
func TestApproverPausesScheduledSendWithProofToken(t *testing.T) {
	h := newHarness(t)
	h.env.SetStartTime(sendDay)
	starts := h.sendStarts()
	h.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalPauseSend, SendControlSignal{By: "bo@example.com", Token: h.sendToken("bo@example.com", "pause")})
	}, 90*time.Minute)
	h.env.RegisterDelayedCallback(func() {
		if st := h.status(t); !strings.HasSuffix(st.Delivery.Summary, "paused: held until resumed") {
			t.Errorf("at 08:45 the summary is %q; want it to say the send is held", st.Delivery.Summary)
		}
	}, 105*time.Minute)
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StagePaused || len(*starts) != 0 {
			t.Errorf("at 09:30: stage %s, %d sends; want paused, nothing sent", st.Stage, len(*starts))
		}
	}, 150*time.Minute)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalResumeSend, SendControlSignal{By: "bo@example.com", Token: h.sendToken("bo@example.com", "resume")})
	}, 3*time.Hour)
	res := h.run(t, sendLaterInput())
	if res.Outcome != OutcomeSent || len(*starts) != 1 || !(*starts)[0].Equal(sendDay.Add(3*time.Hour)) {
		t.Fatalf("outcome %q, sends %v; want one at 10:00", res.Outcome, *starts)
	}
	c := res.Delivery.Controls
	if len(c) != 2 || !c[0].Counted || !c[1].Counted || c[0].OperatorIssued {
		t.Errorf("controls %+v; want bo's pause and resume, both counted", c)
	}
}
