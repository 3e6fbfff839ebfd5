package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/testtools"
	"github.com/halcytone/contentgen/workflows"
)

func openFile(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func queryStatus(c client.Client, id string) (workflows.Status, error) {
	var st workflows.Status
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
	if err != nil {
		return st, err
	}
	return st, v.Get(&st)
}

func startEdition(t *testing.T, s *stack, ed string) string {
	t.Helper()
	in := workflows.Input{Edition: ed, Source: "markdown:examples/living-document.md",
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

// temporalCLI runs the real temporal command against the test's server.
func temporalCLI(t *testing.T, s *stack, args ...string) string {
	t.Helper()
	bin := testtools.Tool(t, "temporal")
	cmd := exec.Command(bin, append(args, "--address", s.address, "--namespace", "default")...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("temporal %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func result(t *testing.T, s *stack, id string) workflows.Result {
	t.Helper()
	return resultWithin(t, s, id, 2*time.Minute)
}

// resultWithin is result with its own bound on the wait.
func resultWithin(t *testing.T, s *stack, id string, wait time.Duration) workflows.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var res workflows.Result
	if err := s.temporal.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		t.Fatalf("result of %s: %v", id, err)
	}
	return res
}

// recordHistory saves the run's history, as the temporal CLI prints it,
// for the replay test.
func recordHistory(t *testing.T, s *stack, id, name string) {
	t.Helper()
	if !*record {
		return
	}
	out := temporalCLI(t, s, "workflow", "show", "--workflow-id", id, "--output", "json")
	path := filepath.Join(testtools.RepoRoot(t), "workflows", "testdata", name+".history.json")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", path)
}

func TestEndToEndApproveWithTemporalCLI(t *testing.T) {
	s := startStack(t, stackOptions{})
	id := startEdition(t, s, "2026-W48")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)

	tok := s.mint(t, id, "ana@example.com", workflows.SignalApprove)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalApprove, "--input", `{"by":"Ana@Example.com","comment":"ship it","token":"`+tok+`"}`)
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent {
		t.Fatalf("outcome %q, want sent: %+v", res.Outcome, res)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Every subscribed contact got exactly one message.
	page, err := s.crmClient.Deliveries(ctx, id, "", "", crm.MaxDeliveriesPage)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, d := range page.Deliveries {
		seen[d.Address]++
		if d.Status != crm.DeliveryLogged {
			t.Errorf("%s: status %s, want %s", d.Address, d.Status, crm.DeliveryLogged)
		}
	}
	recipients, err := s.crmClient.Recipients(ctx, nil, "", crm.MaxRecipientsPage)
	if err != nil {
		t.Fatal(err)
	}
	if len(recipients.Recipients) == 0 || len(seen) != len(recipients.Recipients) {
		t.Errorf("delivered to %d addresses, want %d subscribed contacts", len(seen), len(recipients.Recipients))
	}
	for _, r := range recipients.Recipients {
		if seen[strings.ToLower(r.Email)] != 1 {
			t.Errorf("%s received %d messages, want 1", r.Email, seen[strings.ToLower(r.Email)])
		}
	}
	if res.Send.Accepted != len(recipients.Recipients) || res.Send.Duplicate != 0 {
		t.Errorf("result send %+v, want %d accepted", res.Send, len(recipients.Recipients))
	}

	// The update was published once and is listed.
	updates, err := s.platform.ListUpdates(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) != 1 || updates[0].Edition != "2026-W48" || res.UpdateURL == "" {
		t.Fatalf("updates %+v, result URL %q: want one for 2026-W48", updates, res.UpdateURL)
	}
	if n := len(s.platHeaders.requests("POST", "/api/v1/updates")); n != 1 {
		t.Errorf("%d publish requests, want 1", n)
	}

	// Requests carried the workflow ID as correlation ID, and each batch
	// its own idempotency key.
	keys := map[string]bool{}
	for _, r := range s.crmHeaders.requests("POST", crm.PathNewsletter) {
		if cid := r.Header.Get("X-Correlation-ID"); !strings.HasPrefix(cid, id) {
			t.Errorf("correlation ID %q, want %s…", cid, id)
		}
		keys[r.Header.Get("Idempotency-Key")] = true
	}
	if len(keys) < 2 {
		t.Errorf("idempotency keys %v: want the proof's and at least one batch's", keys)
	}
	if len(res.Decisions) != 1 || res.Decisions[0].By != "ana@example.com" || !res.Decisions[0].Counted || !res.Decisions[0].OperatorIssued {
		t.Errorf("audit trail %+v: want ana's operator-issued approval", res.Decisions)
	}
	recordHistory(t, s, id, "signed-approve")
}

func TestEndToEndRejectAndRefresh(t *testing.T) {
	s := startStack(t, stackOptions{})
	id := startEdition(t, s, "2026-W49")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalApprove, "--input", `{"by":"mallory@example.com"}`)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalRefresh, "--input", `{"by":"ed@example.com"}`)
	deadline := time.Now().Add(time.Minute)
	for {
		st, err := queryStatus(s.temporal, id)
		if err == nil && st.Refreshes == 1 && st.Stage == workflows.StageAwaitingApproval {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("refresh did not complete: %+v %v", st, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	tok := s.mint(t, id, "bo@example.com", workflows.SignalReject)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalReject, "--input", `{"by":"bo@example.com","reason":"not this week","token":"`+tok+`"}`)
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeRejected || res.Reason != "not this week" {
		t.Fatalf("result %+v, want rejected", res)
	}
	if len(res.Decisions) != 3 || res.Decisions[0].Counted {
		t.Errorf("audit trail %+v: want ignored approve, refresh, reject", res.Decisions)
	}
	ctx := context.Background()
	if page, err := s.crmClient.Deliveries(ctx, id, "", "", 10); err != nil || page.Total != 0 {
		t.Errorf("rejected edition delivered %d messages (%v)", page.Total, err)
	}
	recordHistory(t, s, id, "signed-reject-after-refresh")
}
