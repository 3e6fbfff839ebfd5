package sendctl

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/workflows"
)

const approver = "ana@example.com"

// startApproved starts an edition, approves it with the approver's token
// and arms the gate so the send holds after five pages.
func (r *rig) startApproved(ed string) (string, <-chan struct{}) {
	id := r.start(ed, nil)
	held := r.gate.arm(5)
	r.approve(id)
	return id, held
}

// start starts an edition for audience (nil: everyone) and waits for it
// to await approval.
func (r *rig) start(ed string, audience []string) string {
	r.t.Helper()
	id := workflows.WorkflowID(ed)
	in := workflows.Input{Edition: ed, Source: "markdown:examples/living-document.md", Approvers: []string{approver},
		Channels: []string{workflows.ChannelEmail}, Force: true, Audience: audience}
	if _, err := r.temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue}, workflows.WorkflowName, in); err != nil {
		r.t.Fatal(err)
	}
	r.waitStage(id, workflows.StageAwaitingApproval)
	return id
}

func (r *rig) approve(id string) {
	r.t.Helper()
	ctx := context.Background()
	tok, err := approvals.Mint(ctx, r.temporal, r.keys, id, approver, token.ActionApprove)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := approvals.Decide(ctx, r.temporal, id, "", token.ActionApprove, approver, tok, ""); err != nil {
		r.t.Fatal(err)
	}
}

// approverToken is the token an approver holds for a send control: bound
// to the run and the approved revision, not operator-issued.
func (r *rig) approverToken(id, action string) string {
	r.t.Helper()
	st := r.status(id)
	tok, err := r.keys.Mint(token.Claims{WorkflowID: id, RunID: st.RunID, Edition: st.Edition, Revision: st.ContentRevision,
		Approver: approver, Action: action, Expires: time.Now().Add(time.Hour).Unix()})
	if err != nil {
		r.t.Fatal(err)
	}
	return tok
}

func (r *rig) control(id, action, by, tok string) string {
	r.t.Helper()
	msg, err := approvals.SendControl(context.Background(), r.temporal, id, action, workflows.SendControlSignal{By: by, Token: tok})
	if err != nil {
		r.t.Fatalf("%s: %v", action, err)
	}
	return msg
}

func (r *rig) result(id string) workflows.Result {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var res workflows.Result
	if err := r.temporal.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		r.t.Fatalf("result of %s: %v", id, err)
	}
	return res
}

func everyone() map[string]bool {
	all := map[string]bool{}
	for _, c := range crmserver.GenerateContacts(0, recipients) {
		all[strings.ToLower(c.Email)] = true
	}
	return all
}

// One stack serves every case: each edition has its own newsletter ID
// and delivery log.
func TestSendControlOnTheDevServer(t *testing.T) {
	r := newRig(t)
	t.Run("pause and resume reach everyone once", func(t *testing.T) { r.t = t; pauseAndResume(r) })
	t.Run("cancel leaves the rest unsent and reported", func(t *testing.T) { r.t = t; cancelSend(r) })
	t.Run("a test send does not count as the send", func(t *testing.T) { r.t = t; testSend(r) })
	t.Run("the approval page pauses and resumes in Chromium", func(t *testing.T) { r.t = t; pagePauseResume(r) })
	// Last: it adds contacts in a segment of their own.
	t.Run("time-zone groups pause and resume", func(t *testing.T) { r.t = t; tzPauseResume(r) })
}

// Pausing at 5,000 of 20,000 recipients holds the send; resuming reaches
// everyone exactly once, as the CRM's delivery log shows.
func pauseAndResume(r *rig) {
	t := r.t
	id, held := r.startApproved("2026-W50")
	<-held
	r.gate.waitReplies(t, id, 5)
	r.control(id, workflows.UpdatePauseSend, approver, r.approverToken(id, token.ActionPauseSend))
	st := r.waitStage(id, workflows.StagePaused)
	if st.Send.Accepted != 5000 || st.Delivery == nil || st.Delivery.Summary != "paused after 5000 recipients" {
		t.Fatalf("paused: send %+v, delivery %+v; want 5000 accepted and said so", st.Send, st.Delivery)
	}
	if n := len(r.deliveries(id)); n != 5000 {
		t.Fatalf("while paused the delivery log has %d rows, want 5000", n)
	}
	// An old token, or none, does not resume it.
	if _, err := approvals.SendControl(context.Background(), r.temporal, id, workflows.UpdateResumeSend, workflows.SendControlSignal{By: approver}); approvals.Problem(err) != workflows.ProblemNoToken {
		t.Errorf("resume without a token: %v", err)
	}
	tok, err := approvals.MintSendControl(context.Background(), r.temporal, r.keys, id, "ops@example.com", token.ActionResumeSend, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.control(id, workflows.UpdateResumeSend, "ops@example.com", tok)
	res := r.result(id)
	if res.Outcome != workflows.OutcomeSent || !res.Send.Done || res.Send.Accepted+res.Send.Duplicate != recipients {
		t.Fatalf("result %q, send %+v", res.Outcome, res.Send)
	}
	seen := r.deliveries(id)
	all := everyone()
	lost, dup := 0, 0
	for addr := range all {
		switch n := seen[addr]; {
		case n == 0:
			lost++
		case n > 1:
			dup += n - 1
		}
	}
	if lost != 0 || dup != 0 || len(seen) != recipients {
		t.Errorf("delivery log: %d addresses, %d lost, %d duplicated; want %d exactly once", len(seen), lost, dup, recipients)
	}
	r.recordHistory(id, "send-paused-resumed")
	controls := res.Delivery.Controls
	if len(controls) != 3 || !controls[0].Counted || controls[0].OperatorIssued || controls[1].Counted || !controls[2].Counted || !controls[2].OperatorIssued {
		t.Errorf("controls %+v: want the approver's pause, a refused resume, the operator's resume", controls)
	}
}

// Cancelling at 5,000 stops after the batches in flight: the other 15,000
// are never sent, and the run lists exactly them.
func cancelSend(r *rig) {
	t := r.t
	id, held := r.startApproved("2026-W51")
	<-held
	r.gate.waitReplies(t, id, 5)
	r.control(id, workflows.UpdateCancelSend, approver, r.approverToken(id, token.ActionCancelSend))
	res := r.result(id)
	if res.Outcome != workflows.OutcomeCancelled || res.Send.Accepted != 5000 || res.Send.Done {
		t.Fatalf("result %q, send %+v; want cancelled after 5000", res.Outcome, res.Send)
	}
	d := res.Delivery
	if d == nil || d.Unsent == nil || d.Unsent.Count != 15000 || d.Unsent.List == nil || d.Summary != "cancelled: 5000 sent, 15000 not sent" {
		t.Fatalf("delivery %+v", d)
	}
	data, err := r.store.Get(context.Background(), *d.Unsent.List)
	if err != nil {
		t.Fatal(err)
	}
	unsent := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		addr, _, _ := strings.Cut(sc.Text(), ",")
		if addr != "email" {
			unsent[strings.ToLower(addr)] = true
		}
	}
	seen := r.deliveries(id)
	if len(seen) != 5000 || len(unsent) != 15000 {
		t.Fatalf("delivery log has %d addresses and the unsent list %d; want 5000 and 15000", len(seen), len(unsent))
	}
	for addr, n := range seen {
		if n != 1 || unsent[addr] {
			t.Errorf("%s: %d deliveries, listed unsent %v", addr, n, unsent[addr])
		}
	}
	for addr := range everyone() {
		if seen[addr] == 0 && !unsent[addr] {
			t.Errorf("%s neither sent nor listed unsent", addr)
		}
	}
}

// A test send to a recipient and a seed list goes out under its own
// newsletter ID, marked [Test]; the real send still reaches every
// recipient, the tested one included, exactly once. It goes to the
// investors segment (every tenth contact), to keep the test short.
func testSend(r *rig) {
	t := r.t
	id := r.start("2026-W52", []string{"investors"})
	const investors = recipients / 10
	tested := crmserver.GenerateContacts(7, 1)[0].Email
	h, err := r.temporal.UpdateWorkflow(context.Background(), client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateTestSend,
		Args: []any{workflows.TestSendRequest{By: "ed@example.com", To: []string{tested, "qa"}}}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		t.Fatal(err)
	}
	var rec workflows.TestSendRecord
	if err := h.Get(context.Background(), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.SentTo) != 2 || rec.Messages == 0 {
		t.Fatalf("test send %+v: want the recipient and the seed list's address", rec)
	}
	r.gate.mu.Lock()
	var testIDs []string
	for nid := range r.gate.replies {
		if strings.HasPrefix(nid, rec.NewsletterID) {
			testIDs = append(testIDs, nid)
		}
	}
	r.gate.mu.Unlock()
	if len(testIDs) == 0 {
		t.Fatal("no test newsletter reached the CRM")
	}
	for _, nid := range testIDs {
		if got := r.deliveries(nid); got[strings.ToLower(tested)] != 1 || got["qa@example.com"] != 1 {
			t.Errorf("test newsletter %s delivered %v", nid, got)
		}
	}
	if st := r.status(id); st.Send.Accepted != 0 || st.Stage != workflows.StageAwaitingApproval {
		t.Errorf("after the test send: stage %s, send %+v; it must not count as the send", st.Stage, st.Send)
	}
	r.approve(id)
	res := r.result(id)
	if res.Outcome != workflows.OutcomeSent || res.Send.Accepted != investors || res.Send.Duplicate != 0 {
		t.Fatalf("real send: %q %+v; want all %d accepted, none deduplicated", res.Outcome, res.Send, investors)
	}
	seen := r.deliveries(id)
	if len(seen) != investors || seen[strings.ToLower(tested)] != 1 {
		t.Errorf("real send reached %d addresses (tested recipient %d times); want %d, once each", len(seen), seen[strings.ToLower(tested)], investors)
	}
	for addr, n := range seen {
		if n != 1 {
			t.Errorf("%s got the edition %d times", addr, n)
		}
	}
}
