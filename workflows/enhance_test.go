package workflows

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/ai"
	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/fakes"
)

// newAIHarness is newHarness with a model: the fake OpenAI-compatible
// server through the real client. Enhance runs on its own task queue.
func newAIHarness(t *testing.T, fake *aifake.Server) *harness {
	t.Helper()
	h := newHarness(t)
	// The test environment runs activities on the workflow's goroutine;
	// an HTTP round trip to the fake model on a busy machine must not
	// read as a deadlock.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	m, err := ai.NewOpenAI(ai.Options{BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	prompts, err := ai.LoadPrompts("")
	if err != nil {
		t.Fatal(err)
	}
	acts := h.acts
	acts.AI = &activities.Suggester{Runner: &ai.Runner{Model: m}, Prompts: prompts, Budget: ai.DefaultBudget, TaskQueue: "newsletter-ai"}
	return h
}

func (h *harness) preview(t *testing.T) Preview {
	t.Helper()
	v, err := h.env.QueryWorkflow(QueryPreview)
	if err != nil {
		t.Fatalf("query preview: %v", err)
	}
	var p Preview
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// proofs returns the proof messages to ana, oldest first.
func (h *harness) proofs() []crm.Message {
	var out []crm.Message
	for _, req := range h.crm.Requests {
		if !strings.Contains(req.NewsletterID, "-proof-") {
			continue
		}
		for _, m := range req.Messages {
			if m.To == "ana@example.com" {
				out = append(out, fakes.Resolve(req, m))
			}
		}
	}
	return out
}

func TestSuggestionsInPreviewStatusAndProof(t *testing.T) {
	fake := &aifake.Server{}
	h := newAIHarness(t, fake)
	var st Status
	var p Preview
	h.env.RegisterDelayedCallback(func() { st, p = h.status(t), h.preview(t) }, 30*time.Second)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if st.AI == nil || st.AI.State != AIDone || st.AI.Model != "test-model" || st.AI.Usage.Requests != 5 || st.AI.Usage.PromptTokens == 0 {
		t.Errorf("status.ai = %+v; want done, 5 requests (email, 2 summaries, social, check) with usage", st.AI)
	}
	if p.Suggestions == nil || len(p.Suggestions.Suggestions) != 10 {
		t.Fatalf("preview suggestions = %+v", p.Suggestions)
	}
	if len(fake.Requests()) != 5 {
		t.Errorf("%d model requests, want 5", len(fake.Requests()))
	}
	proofs := h.proofs()
	if len(proofs) != 1 || !strings.Contains(proofs[0].HTML, "<code>subject:2</code>") ||
		!strings.Contains(proofs[0].Text, "suggested: Three things to try before bed tonight") {
		t.Fatalf("the proof does not show the suggestions: %d proofs", len(proofs))
	}
	if res.AI == nil || res.AI.Model != "test-model" || len(res.AI.Accepted) != 0 {
		t.Errorf("result.ai = %+v", res.AI)
	}
	// Nothing was accepted: the sent email is the rendered one.
	for _, req := range h.crm.Requests {
		if req.NewsletterID == WorkflowID("2026-W48") && req.Variants[0].Subject != "Halcytone Weekly — 2026-W48" {
			t.Errorf("sent subject %q", req.Variants[0].Subject)
		}
	}
}

func TestFailingModelNeverBlocksTheEdition(t *testing.T) {
	fake := &aifake.Server{Key: "sk-other"} // every request answers 401
	h := newAIHarness(t, fake)
	var st Status
	h.env.RegisterDelayedCallback(func() { st = h.status(t) }, 30*time.Second)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q: a failing model must not stop the edition", res.Outcome)
	}
	if st.AI == nil || st.AI.State != AIFailed || len(st.AI.Warnings) == 0 || !strings.Contains(st.AI.Warnings[0], "OPENAI_API_KEY") {
		t.Errorf("status.ai = %+v; want failed, saying to check the key", st.AI)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests after a 401, want 1: the others cannot succeed", n)
	}
	if len(h.proofs()) != 1 || strings.Contains(h.proofs()[0].Text, "SUGGESTIONS") {
		t.Error("want the plain proof")
	}
}

func TestNoModelChangesNothing(t *testing.T) {
	h := newHarness(t)
	var started []string
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		started = append(started, info.ActivityType.Name)
	})
	var st Status
	var p Preview
	h.env.RegisterDelayedCallback(func() { st, p = h.status(t), h.preview(t) }, 30*time.Second)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || res.AI != nil || p.Suggestions != nil {
		t.Errorf("outcome %q, result.ai %+v, suggestions %+v; want sent and no AI", res.Outcome, res.AI, p.Suggestions)
	}
	if st.AI == nil || st.AI.State != AIOff {
		t.Errorf("status.ai = %+v, want off", st.AI)
	}
	for _, name := range started {
		if name == "PlanSuggestions" || name == "Enhance" {
			t.Errorf("activities %v: with AI off no suggestion activity may run", started)
			break
		}
	}
	if len(started) == 0 {
		t.Error("no activity seen: the listener is blind")
	}
}

func TestAcceptingSuggestionsVoidsApprovalsAndSendsNewProof(t *testing.T) {
	h := newAIHarness(t, &aifake.Server{})
	in := input()
	in.RequiredApprovals = 2
	var before, after Status
	var p, pBefore Preview
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	h.env.RegisterDelayedCallback(func() { before, pBefore = h.status(t), h.preview(t) }, 90*time.Second)
	h.signedAt(2*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com", Accept: []string{"subject:2,social.x"}})
	h.env.RegisterDelayedCallback(func() { after, p = h.status(t), h.preview(t) }, 3*time.Minute)
	h.signedAt(4*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	h.signedAt(5*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	res := h.run(t, in)
	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if len(before.ApprovedBy) != 1 || len(after.ApprovedBy) != 0 {
		t.Errorf("approved by %v before and %v after accepting; want bo's approval voided", before.ApprovedBy, after.ApprovedBy)
	}
	const subject = "Three things to try before bed tonight"
	// The accepted render is a new edition in the artifact store: a new
	// reference and revision, the preview naming it.
	if p.Rendered == nil || pBefore.Rendered == nil {
		t.Fatalf("preview names no rendered edition (before %v, after %v)", pBefore.Rendered, p.Rendered)
	}
	if p.Rendered.Manifest == pBefore.Rendered.Manifest || after.ContentRevision == before.ContentRevision || after.Rendered != p.Rendered.Manifest.Hex() {
		t.Errorf("manifest %s → %s, revision %s → %s, status names %s: want a new render and revision",
			pBefore.Rendered.Manifest.Hex(), p.Rendered.Manifest.Hex(), before.ContentRevision, after.ContentRevision, after.Rendered)
	}
	out, err := activities.LoadOutput(t.Context(), h.store, p.Rendered.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if out.Email.Subject != subject || p.Rendered.Subject() != subject {
		t.Errorf("stored subject %q (manifest %q), want the accepted %q", out.Email.Subject, p.Rendered.Subject(), subject)
	}
	proofs := h.proofs()
	if len(proofs) != 2 || !strings.Contains(proofs[1].Subject, subject) {
		t.Fatalf("%d proofs; want a new one with the accepted subject", len(proofs))
	}
	var sent string
	for _, req := range h.crm.Requests {
		if req.NewsletterID == WorkflowID("2026-W48") {
			sent = req.Variants[0].Subject
		}
	}
	if sent != subject {
		t.Errorf("sent subject %q, want %q", sent, subject)
	}
	var x string
	for _, s := range res.Social {
		if s.Platform == "x" {
			x = s.Text
		}
	}
	if !strings.HasPrefix(x, "New this week at Halcytone") {
		t.Errorf("x draft %q, want the accepted one", x)
	}
	if res.AI == nil || len(res.AI.Accepted) != 2 || res.AI.Accepted[0].By != "ana@example.com" || res.AI.Accepted[0].Model != "test-model" || res.AI.Accepted[0].ID != "subject:2" {
		t.Errorf("result.ai = %+v; want subject:2 and social.x accepted by ana with the model", res.AI)
	}
	var voided, accepted bool
	for _, d := range res.Decisions {
		voided = voided || (d.Action == "approve" && d.By == "bo@example.com" && d.Voided)
		accepted = accepted || (d.By == "ana@example.com" && !d.Counted && strings.Contains(d.Note, "accepted subject:2, social.x"))
	}
	if !voided || !accepted {
		t.Errorf("audit trail %+v lacks the acceptance or the voided approval", res.Decisions)
	}
}

func TestAcceptUnknownSuggestionIsRefused(t *testing.T) {
	h := newAIHarness(t, &aifake.Server{})
	var refusal error
	h.env.RegisterDelayedCallback(func() {
		h.env.UpdateWorkflow(UpdateApprove, "u1", &updateCallbacks{reject: func(err error) { refusal = err }},
			ApproveSignal{By: "ana@example.com", Accept: []string{"subject:7"}})
	}, time.Minute)
	h.signedAt(2*time.Minute, SignalReject, RejectSignal{By: "ana@example.com", Reason: "done testing"})
	h.run(t, input())
	if refusal == nil || !strings.Contains(refusal.Error(), `no suggestion "subject:7"; accept one of subject:1`) {
		t.Errorf("update refusal = %v", refusal)
	}
}

// TestRefreshKeepsAcceptedSuggestionsThatStillFit: after a refresh the
// accepted subject and the summary of the unchanged section apply again;
// the summary of the section the editor changed is left out, and the
// status and the result say why.
func TestRefreshKeepsAcceptedSuggestionsThatStillFit(t *testing.T) {
	fake := &aifake.Server{}
	h := newAIHarness(t, fake)
	h.fetcher.Docs[testSource] = []content.Document{testDoc("Exhale longer than you inhale."), testDoc("New tip: hum on the exhale.")}
	var st Status
	var p Preview
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com", Accept: []string{"subject:2", "summary.tips", "summary.breathscape"}})
	h.signalAt(2*time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() { st, p = h.status(t), h.preview(t) }, 3*time.Minute)
	h.signedAt(4*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || st.Refreshes != 1 {
		t.Fatalf("outcome %q after %d refreshes", res.Outcome, st.Refreshes)
	}
	dropped := map[string]string{}
	for _, a := range st.AI.Accepted {
		dropped[a.ID] = a.Dropped
	}
	if len(dropped) != 3 || dropped["subject:2"] != "" || dropped["summary.breathscape"] != "" ||
		!strings.Contains(dropped["summary.tips"], `section "Tips" changed`) {
		t.Errorf("accepted after the refresh %+v; want summary.tips dropped because Tips changed", st.AI.Accepted)
	}
	if !strings.Contains(strings.Join(st.AI.Warnings, "\n"), "accepted suggestion summary.tips no longer applies") {
		t.Errorf("status.ai.warnings %q do not report the dropped suggestion", st.AI.Warnings)
	}
	if p.Rendered == nil || p.Rendered.Accepted.Subject != "Three things to try before bed tonight" ||
		len(p.Rendered.Accepted.Leads) != 1 || p.Rendered.Accepted.Leads[0].Section != 0 {
		t.Fatalf("refreshed render applied %+v; want the subject and the Breathscape summary", p.Rendered)
	}
	if p.Suggestions == nil || st.AI.State != AIDone && st.AI.State != AIPartial {
		t.Errorf("no new suggestions for the refreshed document: %+v", st.AI)
	}
	var sent string
	for _, req := range h.crm.Requests {
		if req.NewsletterID == WorkflowID("2026-W48") {
			sent = req.Variants[0].Subject
		}
	}
	if sent != "Three things to try before bed tonight" {
		t.Errorf("sent subject %q, want the accepted one kept over the refresh", sent)
	}
	if res.AI == nil || len(res.AI.Accepted) != 3 || res.AI.Accepted[1].Dropped == "" {
		t.Errorf("result.ai = %+v; want the dropped summary marked", res.AI)
	}
}
