package workflows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/render"
)

const testSource = "markdown:living.md"

func para(s string) content.Block {
	return content.Block{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: s}}}
}

func heading(s string) content.Block {
	return content.Block{Kind: content.KindHeading, Level: 2, Inlines: []content.Inline{{Text: s}}}
}

func testDoc(tip string) content.Document {
	return content.Document{Title: "Halcytone Weekly", Revision: "rev-" + tip, Blocks: []content.Block{
		para("This week in breathing."),
		heading("Breathscape"), para("Guided sessions now sync across devices."),
		heading("Tips"), para(tip),
	}}
}

type harness struct {
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	fetcher  *fakes.Fetcher
	crm      *fakes.CRM
	platform *fakes.Platform
	acts     *activities.Activities
	store    *blobstore.Store
	storeDir string
}

func newHarness(t *testing.T, docs ...content.Document) *harness {
	t.Helper()
	h := &harness{}
	h.env = h.NewTestWorkflowEnvironment()
	// The SDK fails a workflow task that runs over a second as a
	// deadlock. Under -race on a loaded two-core machine a first task can
	// take that long without any deadlock, so the limit is raised.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	if len(docs) == 0 {
		docs = []content.Document{testDoc("Exhale longer than you inhale.")}
	}
	h.fetcher = &fakes.Fetcher{Docs: map[string][]content.Document{testSource: docs}}
	var rs []crm.Recipient
	for i := range 5 {
		rs = append(rs, crm.Recipient{ID: fmt.Sprint(i), Email: fmt.Sprintf("reader%d@example.com", i), Name: fmt.Sprintf("Reader %d", i)})
	}
	h.crm = fakes.NewCRM(rs...)
	h.platform = &fakes.Platform{}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.ParseKeys(testSigningKey)
	if err != nil {
		t.Fatal(err)
	}
	h.storeDir = t.TempDir()
	h.store, err = blobstore.Open(context.Background(), "file://"+filepath.ToSlash(h.storeDir), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.store.Close() })
	acts := &activities.Activities{Sources: h.fetcher, Taxonomy: content.DefaultTaxonomy(), Renderer: r, CRM: h.crm, Platform: h.platform, Artifacts: h.store,
		WebBaseURL: "https://example.com", Send: activities.SendOptions{PageSize: 2, Window: 2},
		Approvals: activities.ApprovalOptions{Keys: keys, Now: func() time.Time { return h.env.Now() }}}
	h.env.RegisterWorkflowWithOptions(NewsletterWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	h.env.RegisterActivity(acts)
	h.acts = acts
	return h
}

func input() Input {
	return Input{Edition: "2026-W48", Source: testSource, Approvers: []string{"Ana@Example.com", "bo@example.com"}, ApprovalTimeout: Duration(time.Hour)}
}

func (h *harness) signalAt(d time.Duration, name string, arg any) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(name, arg) }, d)
}

func (h *harness) run(t *testing.T, in Input) Result {
	t.Helper()
	h.env.ExecuteWorkflow(WorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var res Result
	if err := h.env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func (h *harness) status(t *testing.T) Status {
	t.Helper()
	v, err := h.env.QueryWorkflow(QueryStatus)
	if err != nil {
		t.Fatalf("query status: %v", err)
	}
	var st Status
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestApproveSendsOnceAndPublishesOnce(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com", Comment: "ship it"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q, want %q", res.Outcome, OutcomeSent)
	}
	if res.Send.Accepted != 5 || res.Send.Duplicate != 0 || !res.Send.Done {
		t.Errorf("send = %+v, want 5 accepted, done", res.Send)
	}
	got := h.crm.Delivered(WorkflowID("2026-W48"))
	if len(got) != 5 {
		t.Errorf("delivered to %d addresses, want 5: %v", len(got), got)
	}
	for addr, n := range got {
		if n != 1 {
			t.Errorf("%s got %d messages", addr, n)
		}
	}
	if pubs := h.platform.Published(); len(pubs) != 1 || pubs[0].Edition != "2026-W48" || len(pubs[0].Sections) != 3 {
		t.Errorf("published %+v, want one update for 2026-W48 with the intro and 2 sections", pubs)
	}
	if len(res.ApprovedBy) != 1 || res.ApprovedBy[0] != "ana@example.com" {
		t.Errorf("approved by %v", res.ApprovedBy)
	}
	if len(res.Social) == 0 || res.UpdateURL == "" {
		t.Errorf("result lacks social drafts or update URL: %+v", res)
	}
	proof := h.crm.Delivered(WorkflowID("2026-W48") + "-proof-0")
	if proof["ana@example.com"] != 1 || proof["bo@example.com"] != 1 {
		t.Errorf("proof deliveries %v, want one to each approver", proof)
	}
	for _, req := range h.crm.Requests {
		if !strings.HasSuffix(req.NewsletterID, "-proof-0") {
			continue
		}
		for _, m := range req.Messages {
			m = fakes.Resolve(req, m)
			if !strings.HasPrefix(m.Subject, "[Proof] ") || !strings.Contains(m.Text, `"by":"`+m.To+`"`) {
				t.Errorf("proof to %s: subject %q, or no command of its own", m.To, m.Subject)
			}
		}
	}
	if d := res.Decisions[0]; !d.Verified || d.TokenID == "" || d.KeyID != "test" || d.Revision == "" {
		t.Errorf("decision %+v: want verified, with token ID, key ID and revision", d)
	}
}

func TestRejectEndsWithoutSending(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalReject, RejectSignal{By: "bo@example.com", Reason: "dates are wrong"})
	res := h.run(t, input())
	if res.Outcome != OutcomeRejected || res.RejectedBy != "bo@example.com" || res.Reason != "dates are wrong" {
		t.Fatalf("result %+v, want rejected by bo with reason", res)
	}
	if len(h.platform.Published()) != 0 || len(h.crm.Delivered(WorkflowID("2026-W48"))) != 0 {
		t.Error("a rejected edition was published or sent")
	}
}

func TestRefreshThenApproveUsesNewDocument(t *testing.T) {
	h := newHarness(t, testDoc("Old tip."), testDoc("New tip: breathe through the nose."))
	h.signalAt(time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.signedAt(2*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	pubs := h.platform.Published()
	if len(pubs) != 1 || !strings.Contains(pubs[0].BodyHTML, "breathe through the nose") {
		t.Errorf("published body does not hold the refreshed document")
	}
	if res.Revision != "rev-New tip: breathe through the nose." {
		t.Errorf("revision %q", res.Revision)
	}
	if len(h.crm.Delivered(WorkflowID("2026-W48")+"-proof-1")) != 2 {
		t.Error("no new proof after refresh")
	}
}

func TestTimeoutNamesWhoDidNotAnswer(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	in := input()
	in.RequiredApprovals = 2
	res := h.run(t, in)
	if res.Outcome != OutcomeTimedOut || strings.Join(res.NotAnswered, ",") != "bo@example.com" {
		t.Fatalf("outcome %q not answered %v, want timed_out naming bo", res.Outcome, res.NotAnswered)
	}
	if len(h.crm.Delivered(WorkflowID("2026-W48"))) != 0 {
		t.Error("expired edition was sent")
	}
}

func TestUnknownApproverIsRecordedAndIgnored(t *testing.T) {
	h := newHarness(t)
	h.signalAt(time.Minute, SignalApprove, ApproveSignal{By: "mallory@example.com"})
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StageAwaitingApproval || len(st.ApprovedBy) != 0 {
			t.Errorf("after unknown approver: stage %s approved %v", st.Stage, st.ApprovedBy)
		}
		if len(st.Decisions) != 1 || st.Decisions[0].Counted || st.Decisions[0].Problem != ProblemNoToken {
			t.Errorf("decisions %+v, want one ignored for want of a token", st.Decisions)
		}
	}, 2*time.Minute)
	h.signedAt(3*time.Minute, SignalApprove, ApproveSignal{By: "BO@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || res.ApprovedBy[0] != "bo@example.com" {
		t.Fatalf("result %+v, want sent, approved by bo (case-insensitive)", res)
	}
	if len(res.Decisions) != 2 || res.Decisions[0].Counted || !res.Decisions[1].Counted {
		t.Errorf("audit trail %+v", res.Decisions)
	}
}

func TestMalformedSignalIsRecordedNotFatal(t *testing.T) {
	h := newHarness(t)
	h.signalAt(time.Minute, SignalApprove, "just a string")
	h.signalAt(2*time.Minute, SignalApprove, ApproveSignal{})
	h.signedAt(3*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if len(res.Decisions) != 3 || !strings.Contains(res.Decisions[0].Note, "malformed") || res.Decisions[1].Problem != ProblemNoToken {
		t.Errorf("decisions %+v", res.Decisions)
	}
}

func publishedBefore(h *harness, t *testing.T, doc content.Document) {
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	h.platform.Updates = append(h.platform.Updates, platformUpdate("2026-W47", p))
}

func TestUnchangedDocumentIsSkipped(t *testing.T) {
	doc := testDoc("Same tip.")
	h := newHarness(t, doc)
	publishedBefore(h, t, doc)
	res := h.run(t, input())
	if res.Outcome != OutcomeUnchanged {
		t.Fatalf("outcome %q, want unchanged", res.Outcome)
	}
	if len(h.crm.Newsletters()) != 0 {
		t.Errorf("unchanged edition sent something: %v", h.crm.Newsletters())
	}
}

func TestForceSendsUnchangedDocument(t *testing.T) {
	doc := testDoc("Same tip.")
	h := newHarness(t, doc)
	publishedBefore(h, t, doc)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	in := input()
	in.Force = true
	if res := h.run(t, in); res.Outcome != OutcomeSent || res.Send.Accepted != 5 {
		t.Fatalf("result %+v, want sent to 5", res)
	}
}

func TestChangesAreShownToApprovers(t *testing.T) {
	h := newHarness(t, testDoc("A new tip."))
	publishedBefore(h, t, testDoc("An old tip."))
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if len(st.Changes) != 1 || st.Changes[0].Key != "tips" || st.Changes[0].Change != content.ChangeChanged || !strings.Contains(st.Changes[0].Diff, "A new tip.") {
			t.Errorf("changes %+v, want tips changed with a diff", st.Changes)
		}
	}, time.Minute)
	h.signedAt(2*time.Minute, SignalReject, RejectSignal{By: "ana@example.com"})
	h.run(t, input())
}

func TestDryRunSendsAndPublishesNothing(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	in := input()
	in.DryRun = true
	res := h.run(t, in)
	if res.Outcome != OutcomeDryRun {
		t.Fatalf("outcome %q", res.Outcome)
	}
	// Approvers still get the proof: their tokens are in it.
	for _, id := range h.crm.Newsletters() {
		if !strings.Contains(id, "-proof-") {
			t.Errorf("dry run sent %s", id)
		}
	}
	if len(h.platform.Published()) != 0 {
		t.Error("dry run published")
	}
}

func TestCRM4xxFailsClearly(t *testing.T) {
	h := newHarness(t)
	h.crm.Fail = func(call int, req crm.NewsletterRequest) error {
		if strings.Contains(req.NewsletterID, "proof") {
			return nil
		}
		return &httpapi.StatusError{Op: "crm send batch", StatusCode: http.StatusBadRequest, Detail: httpapi.ErrorDetail{Code: "invalid_field", Field: "messages[0].to", Message: "not an address"}}
	}
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.env.ExecuteWorkflow(WorkflowName, input())
	err := h.env.GetWorkflowError()
	if err == nil {
		t.Fatal("workflow succeeded, want failure")
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activitytypes.ErrTypeCRMRejected || !appErr.NonRetryable() {
		t.Fatalf("error %v, want non-retryable %s", err, activitytypes.ErrTypeCRMRejected)
	}
	if !strings.Contains(err.Error(), "messages[0].to") {
		t.Errorf("error %q does not name the field", err)
	}
}

func TestCRM5xxIsRetried(t *testing.T) {
	h := newHarness(t)
	failures := 0
	h.crm.Fail = func(call int, req crm.NewsletterRequest) error {
		if !strings.Contains(req.NewsletterID, "proof") && failures < 2 {
			failures++
			return &httpapi.StatusError{Op: "crm send batch", StatusCode: http.StatusServiceUnavailable}
		}
		return nil
	}
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || failures != 2 {
		t.Fatalf("result %+v after %d failures", res, failures)
	}
	for addr, n := range h.crm.Delivered(WorkflowID("2026-W48")) {
		if n != 1 {
			t.Errorf("%s delivered %d times", addr, n)
		}
	}
}

func TestTwoApproversRequired(t *testing.T) {
	h := newHarness(t)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.signedAt(2*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.env.RegisterDelayedCallback(func() {
		if st := h.status(t); st.Stage != StageAwaitingApproval || len(st.ApprovedBy) != 1 || st.Decisions[1].Problem != ProblemUsed {
			t.Errorf("one approver twice must not suffice, nor a token twice: %+v", st)
		}
	}, 3*time.Minute)
	h.signedAt(4*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	in := input()
	in.RequiredApprovals = 2
	res := h.run(t, in)
	if res.Outcome != OutcomeSent || len(res.ApprovedBy) != 2 {
		t.Fatalf("result %+v", res)
	}
}

func TestApproveUpdateValidatesCaller(t *testing.T) {
	h := newHarness(t)
	var rejected, accepted error
	var acceptedMsg string
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateApprove, "u1", &updateCallbacks{
			complete: func(v any, err error) { rejected = err },
		}, ApproveSignal{By: "mallory@example.com", Token: h.proofToken("bo@example.com", SignalApprove)})
		h.env.UpdateWorkflow(UpdateApprove, "u2", &updateCallbacks{
			complete: func(v any, err error) { acceptedMsg, _ = v.(string); accepted = err },
		}, h.withToken(SignalApprove, ApproveSignal{By: "ana@example.com"}))
	}, time.Minute)
	res := h.run(t, input())
	var appErr *temporal.ApplicationError
	if !errors.As(rejected, &appErr) || appErr.Type() != ProblemWrongApprover {
		t.Errorf("update from mallory with bo's token: %v, want %s", rejected, ProblemWrongApprover)
	}
	if accepted != nil || !strings.Contains(acceptedMsg, "approved") {
		t.Errorf("update from an approver: %q, %v", acceptedMsg, accepted)
	}
	if res.Outcome != OutcomeSent {
		t.Errorf("outcome %q", res.Outcome)
	}
}

func TestInvalidInputFailsClearly(t *testing.T) {
	h := newHarness(t)
	in := input()
	in.Approvers = nil
	h.env.ExecuteWorkflow(WorkflowName, in)
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "no approvers") {
		t.Fatalf("error %v, want 'no approvers'", err)
	}
}

func TestMissingDocumentFailsWithoutRetry(t *testing.T) {
	h := newHarness(t)
	in := input()
	in.Source = "markdown:missing.md"
	h.env.ExecuteWorkflow(WorkflowName, in)
	var appErr *temporal.ApplicationError
	if err := h.env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activitytypes.ErrTypeDocumentNotFound {
		t.Fatalf("error %v, want %s", err, activitytypes.ErrTypeDocumentNotFound)
	}
	if len(h.crm.Newsletters()) != 0 {
		t.Error("something was sent")
	}
}

func TestDocumentWithoutSectionsFailsClearly(t *testing.T) {
	h := newHarness(t, content.Document{Title: "Notes", Blocks: []content.Block{heading("Random thoughts"), para("Nothing to send.")}})
	h.env.ExecuteWorkflow(WorkflowName, input())
	var appErr *temporal.ApplicationError
	err := h.env.GetWorkflowError()
	if !errors.As(err, &appErr) || appErr.Type() != activitytypes.ErrTypeNoSections {
		t.Fatalf("error %v, want %s", err, activitytypes.ErrTypeNoSections)
	}
	if !strings.Contains(err.Error(), "Random thoughts") {
		t.Errorf("error %q does not name the headings found", err)
	}
	if len(h.crm.Newsletters()) != 0 || len(h.platform.Published()) != 0 {
		t.Error("something was sent or published")
	}
}

func TestRefreshFailureKeepsPreviousVersion(t *testing.T) {
	broken := content.Document{Title: "Notes", Blocks: []content.Block{heading("Random thoughts")}}
	h := newHarness(t, testDoc("A tip."), broken)
	h.signalAt(time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		if st.Stage != StageAwaitingApproval || len(st.Errors) != 1 || !strings.Contains(st.Errors[0], "refresh failed") {
			t.Errorf("after a failed refresh: stage %s errors %v", st.Stage, st.Errors)
		}
		// The note says which step failed and why, once.
		for _, want := range []string{"parse document", "Random thoughts"} {
			if len(st.Errors) == 1 && !strings.Contains(st.Errors[0], want) {
				t.Errorf("refresh note %q does not say %q", st.Errors[0], want)
			}
		}
	}, 2*time.Minute)
	h.signedAt(3*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || !strings.Contains(h.platform.Published()[0].BodyHTML, "A tip.") {
		t.Fatalf("result %+v: want the previous version sent", res)
	}
}
