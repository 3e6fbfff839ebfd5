package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/bench"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/testdocs"
	"github.com/halcytone/contentgen/workflows"
)

// History limits of one edition, whatever the document's size: 100
// events with one refresh included.
const (
	maxHistoryEvents   = 100
	maxRefreshedEvents = 100
	maxHistoryBytes    = 128 << 10
	maxPayloadBytes    = 32 << 10
)

func startSourceEdition(t *testing.T, s *stack, ed, source string) string {
	t.Helper()
	in := workflows.Input{Edition: ed, Source: source,
		Approvers: []string{"ana@example.com", "bo@example.com"}, ApprovalTimeout: workflows.Duration(10 * time.Minute)}
	run, err := s.temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.WorkflowID(ed), TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.StatusKey.ValueSet(workflows.StageStarting), workflows.EditionKey.ValueSet(ed)),
	}, workflows.WorkflowName, in)
	if err != nil {
		t.Fatalf("start %s: %v", ed, err)
	}
	return run.GetID()
}

func queryPreview(t *testing.T, s *stack, id string) workflows.Preview {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := s.temporal.QueryWorkflow(ctx, id, "", workflows.QueryPreview)
	if err != nil {
		t.Fatal(err)
	}
	var p workflows.Preview
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitRefreshed waits until the run has re-rendered n times and awaits
// approval again.
func waitRefreshed(t *testing.T, s *stack, id string, n int) workflows.Status {
	t.Helper()
	deadline := time.Now().Add(largeDocumentWait)
	for time.Now().Before(deadline) {
		st, err := queryStatus(s.temporal, id)
		if err == nil && st.Refreshes == n && st.Stage == workflows.StageAwaitingApproval {
			return st
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not finish refresh %d", id, n)
	return workflows.Status{}
}

// checkFlatHistory measures a finished run's history against the limits
// and replays it.
func checkFlatHistory(t *testing.T, s *stack, id string, maxEvents int) bench.HistoryStats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := bench.MeasureHistory(ctx, s.temporal, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("history of %s: %d events, %d bytes, largest payload %d bytes (%s)", id, h.Events, h.Bytes, h.MaxPayload, h.MaxPayloadEvent)
	if testing.Verbose() {
		t.Log(eventTypes(h))
	}
	if h.Events > maxEvents || h.Bytes > maxHistoryBytes || h.MaxPayload > maxPayloadBytes {
		t.Errorf("history %d events / %d bytes / largest payload %d bytes (%s); limits %d / %d / %d; events:\n%s",
			h.Events, h.Bytes, h.MaxPayload, h.MaxPayloadEvent, maxEvents, maxHistoryBytes, maxPayloadBytes, eventTypes(h))
	}
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(workflows.NewsletterWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowName})
	// Tokens bind the workflow and run IDs, so the replay runs as the
	// recorded execution did.
	start := h.History.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes()
	exec := workflow.Execution{ID: start.GetWorkflowId(), RunID: start.GetOriginalExecutionRunId()}
	if err := r.ReplayWorkflowHistoryWithOptions(nil, h.History, worker.ReplayWorkflowHistoryOptions{OriginalExecution: exec}); err != nil {
		t.Errorf("replay %s: %v", id, err)
	}
	return h
}

// largeDocumentWait bounds how long the large-document tests wait for a
// stage. Under the race detector on a busy 2-core machine a 5 MB render
// takes minutes; its speed target is measured by make bench, not here.
const largeDocumentWait = 8 * time.Minute

// TestFiveMegabyteDocumentKeepsHistoryFlat takes a 5 MB Markdown document
// through fetch, render, proof, one refresh, approval and send on the dev
// server: history stays under the limits, and the CRM receives the
// rendered content once, under the digest the render recorded.
func TestFiveMegabyteDocumentKeepsHistoryFlat(t *testing.T) {
	s := startStack(t, stackOptions{})
	doc := filepath.Join(t.TempDir(), "living.md")
	if err := os.WriteFile(doc, testdocs.Markdown(5<<20, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	id := startSourceEdition(t, s, "2026-W50", "markdown:"+doc)
	waitStageWithin(t, s.temporal, id, workflows.StageAwaitingApproval, largeDocumentWait)
	first := queryPreview(t, s, id)

	if err := os.WriteFile(doc, testdocs.Markdown(5<<20, 2), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.temporal.SignalWorkflow(context.Background(), id, "", workflows.SignalRefresh, workflows.RefreshSignal{By: "ed@example.com"}); err != nil {
		t.Fatal(err)
	}
	st := waitRefreshed(t, s, id, 1)
	p := queryPreview(t, s, id)
	if p.Rendered == nil || p.Rendered.Revision == first.Rendered.Revision || st.Rendered != p.Rendered.Revision {
		t.Fatalf("refresh did not render the new document: before %v, after %v (status %q)", first.Rendered, p.Rendered, st.Rendered)
	}
	if !strings.Contains(strings.Join(st.Warnings, "\n"), "Gmail clips messages over 102 KB") {
		t.Errorf("status warnings lack the Gmail clip warning: %q", st.Warnings)
	}

	res := approveAndWaitWithin(t, s, id, largeDocumentWait)
	if res.Outcome != workflows.OutcomeSent || res.Send.Accepted != s.contactCount {
		t.Fatalf("result %+v: want sent to %d contacts", res.Send, s.contactCount)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := s.crmClient.Content(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if res.Send.ContentMode != activities.ContentUpload || got.Digest != p.Rendered.ContentDigest || res.Send.ContentDigest != got.Digest {
		t.Errorf("CRM holds content %s, render recorded %s, send %s (%s)", got.Digest, p.Rendered.ContentDigest, res.Send.ContentDigest, res.Send.ContentMode)
	}
	// One upload, or a few when a loaded machine made an attempt time out:
	// each is the same digest, which the CRM accepts again.
	if n := len(s.crmHeaders.requests("PUT", crm.NewsletterContentPath(id))); n < 1 {
		t.Errorf("%d content uploads, want 1", n)
	}
	// Proofs too: their body is uploaded once, and each approver's message
	// carries only merge values (the approver's own links).
	for _, r := range s.crmHeaders.requests("POST", crm.PathNewsletter) {
		if r.ContentLength > 256<<10 {
			t.Errorf("a batch of %d bytes (%s): batches should name variants, not carry them", r.ContentLength, r.Header.Get("Idempotency-Key"))
		}
	}
	if n := len(s.crmHeaders.requests("PUT", crm.NewsletterContentPath(id+"-proof-1"))); n < 1 {
		t.Errorf("the refreshed proof's content was uploaded %d times, want once", n)
	}
	checkFlatHistory(t, s, id, maxRefreshedEvents)
	recordHistory(t, s, id, "artifacts-prepared-refresh-approve")
}

// TestOneMegabyteNotionPageKeepsHistoryFlat reads a 1 MB Notion page from
// a fake Notion API, paginated 100 blocks at a time, through render,
// proof, approval and send on the dev server.
func TestOneMegabyteNotionPageKeepsHistoryFlat(t *testing.T) {
	page := testdocs.NewNotionPage("5f8c2b1e-3d4a-4b6c-8e7f-9a0b1c2d3e4f", "ntn_e2e_token", 1<<20)
	notionAPI := httptest.NewServer(page)
	t.Cleanup(notionAPI.Close)
	s := startStack(t, stackOptions{sources: func(c *app.SourcesConfig) {
		c.NotionToken, c.NotionBaseURL, c.NotionRequestsPerSecond = page.Token, notionAPI.URL, 1000
	}})
	id := startSourceEdition(t, s, "2026-W52", "notion:"+page.ID)
	waitStageWithin(t, s.temporal, id, workflows.StageAwaitingApproval, largeDocumentWait)
	if n := page.Requests.Load(); n < 50 {
		t.Errorf("%d Notion requests: want the page read in many pages of blocks", n)
	}
	p := queryPreview(t, s, id)
	if p.Document == nil || p.Document.SectionTotal != 4 || p.Rendered == nil || len(p.Rendered.Variants) != 2 {
		t.Fatalf("preview document %+v rendered %+v: want 4 sections and 2 variants", p.Document, p.Rendered)
	}
	// starter preview reads the channels from the store; prune keeps what
	// the run in progress needs.
	out := filepath.Join(t.TempDir(), "preview")
	starter(t, s, "preview", "--edition", "2026-W52", "--out", out, "--artifact-store", s.artifacts.Name())
	html, err := os.ReadFile(filepath.Join(out, "email.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(html) != p.Rendered.Variants[0].HTMLBytes {
		t.Errorf("starter preview wrote %d bytes of email HTML, the render stored %d", len(html), p.Rendered.Variants[0].HTMLBytes)
	}
	pruned := starter(t, s, "artifacts", "prune", "--keep-editions", "1", "--min-age", "1ns", "--artifact-store", s.artifacts.Name())
	if !strings.Contains(pruned, `"deleted_artifacts": 0`) || !strings.Contains(pruned, "2026-W52") {
		t.Errorf("prune during the run: %s", pruned)
	}
	res := approveAndWaitWithin(t, s, id, largeDocumentWait)
	if res.Send.Accepted != s.contactCount || res.Send.ContentDigest != p.Rendered.ContentDigest {
		t.Fatalf("send %+v: want %d accepted with the rendered content %s", res.Send, s.contactCount, p.Rendered.ContentDigest)
	}
	checkFlatHistory(t, s, id, maxHistoryEvents)
	recordHistory(t, s, id, "artifacts-notion-signed")
}

// TestInlineBatchesForCRMWithoutContentEndpoint: a CRM that implements only
// the inline form (404 on the content endpoint) still gets every message,
// each batch carrying its variants.
func TestInlineBatchesForCRMWithoutContentEndpoint(t *testing.T) {
	s := startStack(t, stackOptions{wrapCRM: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/content") {
				http.NotFound(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	id := startEdition(t, s, "2026-W51")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	res := approveAndWaitWithin(t, s, id, largeDocumentWait)
	if res.Outcome != workflows.OutcomeSent || res.Send.Accepted != s.contactCount || res.Send.ContentMode != activities.ContentInline {
		t.Fatalf("send %+v: want %d accepted, inline", res.Send, s.contactCount)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	page, err := s.crmClient.Deliveries(ctx, id, "", "", crm.MaxDeliveriesPage)
	if err != nil {
		t.Fatal(err)
	}
	if page.Counts[crm.DeliveryLogged] != s.contactCount {
		t.Errorf("delivery counts %v, want %d logged", page.Counts, s.contactCount)
	}
}

func eventTypes(h bench.HistoryStats) string {
	var b strings.Builder
	for _, ev := range h.History.Events {
		b.WriteString(strings.TrimPrefix(ev.GetEventType().String(), "EVENT_TYPE_") + "\n")
	}
	return b.String()
}
