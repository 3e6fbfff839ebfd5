package workflows

import (
	"github.com/halcytone/contentgen/internal/fakes"
	"strings"
	"testing"
	"time"
)

func twoApprovals() Input {
	in := input()
	in.RequiredApprovals = 2
	in.ApprovalTimeout = Duration(4 * time.Hour)
	return in
}

// Ana approves; the document changes; refresh voids her approval and a new
// proof tells her what changed; Bo approves; the run waits for Ana again.
func TestRefreshWithChangesVoidsApprovals(t *testing.T) {
	h := newHarness(t, testDoc("Old tip."), testDoc("New tip: breathe through the nose."))
	var boOld string
	h.env.RegisterDelayedCallback(func() { boOld = h.proofToken("bo@example.com", SignalApprove) }, 30*time.Second)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.signalAt(2*time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.signedAt(3*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalApprove, ApproveSignal{By: "bo@example.com", Token: boOld})
	}, 4*time.Minute)
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StageAwaitingApproval || strings.Join(st.ApprovedBy, ",") != "bo@example.com" || strings.Join(st.Pending, ",") != "ana@example.com" {
			t.Errorf("after the change: stage %s approved %v pending %v; want waiting for ana", st.Stage, st.ApprovedBy, st.Pending)
		}
		first := st.Decisions[0]
		if !first.Voided || !strings.Contains(first.VoidReason, "changed") || first.By != "ana@example.com" {
			t.Errorf("ana's first approval %+v: want voided with the reason", first)
		}
		if last := st.Decisions[len(st.Decisions)-1]; last.Counted || last.Problem != ProblemStale {
			t.Errorf("old link after the change: %+v, want refused as stale", last)
		}
		proof := h.lastMessageTo(WorkflowID("2026-W48")+"-proof-1", "ana@example.com")
		if !strings.Contains(proof, "changed after you approved") || !strings.Contains(proof, "Tips") {
			t.Errorf("new proof to ana does not say what changed since her approval:\n%.600s", proof)
		}
		if bo := h.lastMessageTo(WorkflowID("2026-W48")+"-proof-1", "bo@example.com"); strings.Contains(bo, "changed after you approved") {
			t.Error("bo, who had not approved, is told his approval was voided")
		}
	}, 5*time.Minute)
	h.signedAt(6*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, twoApprovals())
	if res.Outcome != OutcomeSent || len(res.ApprovedBy) != 2 {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(h.platform.Published()[0].BodyHTML, "breathe through the nose") {
		t.Error("the changed edition was not the one published")
	}
}

func TestRefreshWithoutChangesKeepsApprovals(t *testing.T) {
	h := newHarness(t, testDoc("Same tip."), testDoc("Same tip."))
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.signalAt(2*time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Refreshes != 1 || strings.Join(st.ApprovedBy, ",") != "ana@example.com" || st.Decisions[0].Voided {
			t.Errorf("after a refresh with no change: %+v", st)
		}
		if len(h.crm.Delivered(WorkflowID("2026-W48")+"-proof-1")) != 0 {
			t.Error("a refresh that changed nothing sent a new proof")
		}
	}, 3*time.Minute)
	h.signedAt(4*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	if res := h.run(t, twoApprovals()); res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
}

// A spoofed "by" without a token, and one with another approver's token,
// are recorded and never counted; a forged token neither.
func TestSpoofedDecisionsAreRecordedNotCounted(t *testing.T) {
	h := newHarness(t)
	h.signalAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalApprove, ApproveSignal{By: "ana@example.com", Token: h.proofToken("bo@example.com", SignalApprove)})
		bo := h.proofToken("bo@example.com", SignalApprove)
		h.env.SignalWorkflow(SignalApprove, ApproveSignal{By: "bo@example.com", Token: bo[:len(bo)-3] + "AAA"})
		h.env.SignalWorkflow(SignalApprove, ApproveSignal{By: "bo@example.com", Token: h.proofToken("bo@example.com", SignalReject)})
	}, 2*time.Minute)
	res := h.run(t, input())
	if res.Outcome != OutcomeTimedOut || len(res.ApprovedBy) != 0 {
		t.Fatalf("result %s approved by %v: spoofed decisions counted", res.Outcome, res.ApprovedBy)
	}
	want := []string{ProblemNoToken, ProblemWrongApprover, "forged", ProblemWrongAction}
	if len(res.Decisions) != len(want) {
		t.Fatalf("audit trail %+v, want %v", res.Decisions, want)
	}
	for i, d := range res.Decisions {
		if d.Counted || d.Problem != want[i] || d.Note == "" {
			t.Errorf("decision %d %+v: want uncounted, problem %s", i, d, want[i])
		}
	}
}

func TestRequestChangesKeepsWaitingAndTellsOthers(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	h.signedAt(2*time.Minute, SignalRequestChanges, RequestChangesSignal{By: "ana@example.com", Comment: "The tip needs a source."})
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StageAwaitingApproval || len(st.ChangeRequests) != 1 || st.ChangeRequests[0].Comment != "The tip needs a source." {
			t.Errorf("after a request for changes: %+v", st)
		}
		got := h.crm.Delivered(WorkflowID("2026-W48") + "-changes-1")
		if got["bo@example.com"] != 1 || got["ana@example.com"] != 0 {
			t.Errorf("request for changes emailed to %v, want bo only", got)
		}
	}, 3*time.Minute)
	in := twoApprovals()
	res := h.run(t, in)
	if res.Outcome != OutcomeTimedOut || len(res.ChangeRequests) != 1 || res.ChangeRequests[0].By != "ana@example.com" {
		t.Fatalf("result %s change requests %+v", res.Outcome, res.ChangeRequests)
	}
}

func TestRemindersGoToUndecidedApprovers(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, twoApprovals()) // 4h: reminders at 2h and 3h
	if res.Outcome != OutcomeTimedOut {
		t.Fatalf("outcome %q", res.Outcome)
	}
	for _, n := range []int{1, 2} {
		got := h.crm.Delivered(WorkflowID("2026-W48") + "-reminder-0-" + string(rune('0'+n)))
		if got["bo@example.com"] != 1 || got["ana@example.com"] != 0 {
			t.Errorf("reminder %d went to %v, want bo only", n, got)
		}
	}
	if msg := h.lastMessageTo(WorkflowID("2026-W48")+"-reminder-0-2", "bo@example.com"); !strings.Contains(msg, "REMINDER") {
		t.Errorf("reminder text lacks REMINDER:\n%.300s", msg)
	}
}

func (h *harness) lastMessageTo(newsletterID, to string) string {
	for i := len(h.crm.Requests) - 1; i >= 0; i-- {
		if h.crm.Requests[i].NewsletterID != newsletterID {
			continue
		}
		for _, m := range h.crm.Requests[i].Messages {
			if m.To == to {
				return fakes.Resolve(h.crm.Requests[i], m).Text
			}
		}
	}
	return ""
}
