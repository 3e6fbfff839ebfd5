package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/cli"
	"github.com/halcytone/contentgen/internal/devserver"
	"github.com/halcytone/contentgen/internal/testtools"
	"github.com/halcytone/contentgen/watchhook"
	"github.com/halcytone/contentgen/workflows"
)

// livingCopy writes a copy of the example living document to a
// temporary folder, for a test to edit.
func livingCopy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testtools.RepoRoot(t), "examples", "living-document.md"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "living.md")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// edit changes one sentence of the document, as an editor would.
func edit(t *testing.T, path, sentence string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, []byte("\n"+sentence+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
}

func watchStatus(t *testing.T, c client.Client, id string) workflows.WatchStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryWatchStatus)
	if err != nil {
		t.Fatalf("query watcher %s: %v", id, err)
	}
	var st workflows.WatchStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitWatch polls the watcher's status until ok says so.
func waitWatch(t *testing.T, c client.Client, id, what string, ok func(workflows.WatchStatus) bool) workflows.WatchStatus {
	t.Helper()
	var st workflows.WatchStatus
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if st = watchStatus(t, c, id); ok(st) {
			return st
		}
	}
	t.Fatalf("watcher %s: %s did not happen; status %+v", id, what, st)
	return st
}

// TestWatcherStartsThenRefreshesTheEdition runs a watcher on the real
// stack: an edit starts the current edition's run only once the document
// has been quiet, and a later edit refreshes that run.
func TestWatcherStartsThenRefreshesTheEdition(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Temporal dev server; skipped under -short")
	}
	s := startStack(t, stackOptions{})
	path := livingCopy(t)
	const quiet = 3 * time.Second
	source := "markdown:" + path
	id := workflows.WatchID(source)
	ctx := context.Background()
	// Started as the operating guide shows it, with the temporal CLI.
	temporalCLI(t, s, "workflow", "start", "--type", workflows.WatcherWorkflowName, "--task-queue", workflows.TaskQueue,
		"--workflow-id", id, "--memo", `source="`+source+`"`, "--memo", `every="300ms"`, "--memo", `quiet="3s"`, "--input", `{"source":"`+source+`","every":"300ms","quiet":"3s",`+
			`"run":{"approvers":["ana@example.com"],"approval_timeout":"10m","channels":["email"]}}`)
	t.Cleanup(func() { _ = s.temporal.TerminateWorkflow(context.Background(), id, "", "test over") })
	base := waitWatch(t, s.temporal, id, "baseline", func(st workflows.WatchStatus) bool { return st.Baseline != "" })
	if out := temporalCLI(t, s, "workflow", "query", "--workflow-id", id, "--name", workflows.QueryWatchStatus); !strings.Contains(out, base.Baseline) {
		t.Errorf("temporal workflow query: %s, want the baseline %s", out, base.Baseline)
	}
	if out := starter(t, s, "watch", "list"); !strings.Contains(out, id+"  "+source+"  watching  every 300ms  quiet 3s") {
		t.Errorf("watch list of a watcher started with the Temporal CLI: %q", out)
	}

	editAt := time.Now()
	edit(t, path, "A late tip: breathe out for six counts.")
	pending := waitWatch(t, s.temporal, id, "seeing the edit", func(st workflows.WatchStatus) bool { return st.Seen != base.Baseline })
	ed := editionOf(pending.RefreshAt)
	_, err := s.temporal.DescribeWorkflowExecution(ctx, workflows.WorkflowID(ed), "")
	var nf *serviceerror.NotFound
	if err == nil && time.Now().Before(pending.RefreshAt) {
		t.Fatalf("edition %s started before the quiet period ended at %s", ed, pending.RefreshAt)
	} else if err != nil && !errors.As(err, &nf) {
		t.Fatal(err)
	}

	st := waitWatch(t, s.temporal, id, "refresh", func(st workflows.WatchStatus) bool { return len(st.Triggers) == 1 })
	tr := st.Triggers[0]
	if tr.Action != "started" || tr.WorkflowID != workflows.WorkflowID(ed) || tr.Revision != pending.Seen {
		t.Errorf("trigger = %+v, want edition %s started for revision %s", tr, ed, pending.Seen)
	}
	if tr.At.Before(editAt.Add(quiet)) {
		t.Errorf("refreshed at %s, before the quiet period after the edit at %s", tr.At, editAt)
	}
	waitStage(t, s.temporal, tr.WorkflowID, workflows.StageAwaitingApproval)
	desc, err := s.temporal.DescribeWorkflowExecution(ctx, tr.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	if started := desc.GetWorkflowExecutionInfo().GetStartTime().AsTime(); started.Before(editAt.Add(quiet)) {
		t.Errorf("run started at %s, less than %s after the edit at %s", started, quiet, editAt)
	}

	// A second edit, while the run awaits approval, refreshes it.
	edit(t, path, "And one more: sit up straight.")
	st = waitWatch(t, s.temporal, id, "second refresh", func(st workflows.WatchStatus) bool { return len(st.Triggers) == 2 })
	if tr := st.Triggers[1]; tr.Action != "refreshed" || tr.WorkflowID != workflows.WorkflowID(ed) {
		t.Errorf("second trigger = %+v, want a refresh of %s", tr, workflows.WorkflowID(ed))
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		run, err := queryStatus(s.temporal, workflows.WorkflowID(ed))
		if err == nil && run.Refreshes == 1 && run.Stage == workflows.StageAwaitingApproval {
			counted := false
			for _, d := range run.Decisions {
				counted = counted || (d.Action == "refresh" && d.By == workflows.WatchBy && d.Counted)
			}
			if !counted {
				t.Errorf("decisions %+v lack the watcher's counted refresh", run.Decisions)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s not refreshed by the watcher: %+v, %v", workflows.WorkflowID(ed), run, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	recordHistory(t, s, id, "watch-start-refresh")
	_ = s.temporal.TerminateWorkflow(ctx, workflows.WorkflowID(ed), "", "test over")
}

func editionOf(t time.Time) string {
	year, week := t.UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", year, week)
}

// TestWatchCommands drives a watcher with the starter's watch commands.
func TestWatchCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Temporal dev server; skipped under -short")
	}
	s := startStack(t, stackOptions{})
	path := livingCopy(t)
	out := starter(t, s, "watch", "create", "--source", "markdown:"+path, "--every", "1h", "--quiet", "30m",
		"--approvers", "ana@example.com", "--timeout", "10m")
	id := workflows.WatchID("markdown:" + path)
	if !strings.Contains(out, "watching markdown:"+path) || !strings.Contains(out, id) {
		t.Errorf("create: %s", out)
	}
	waitWatch(t, s.temporal, id, "first check", func(st workflows.WatchStatus) bool { return st.Checks == 1 })
	waitList(t, s, id+"  markdown:"+path+"  watching  every 1h0m0s  quiet 30m0s")

	starter(t, s, "watch", "pause", "--source", "markdown:"+path, "--by", "ops@example.com")
	waitList(t, s, id+"  markdown:"+path+"  paused")
	starter(t, s, "watch", "resume", "--id", id)
	waitList(t, s, id+"  markdown:"+path+"  watching")

	edit(t, path, "Pushed: a change the check picks up at once.")
	starter(t, s, "watch", "check", "--source", "markdown:"+path)
	st := waitWatch(t, s.temporal, id, "the requested check", func(st workflows.WatchStatus) bool { return st.Checks == 2 })
	if st.Seen == st.Baseline || st.RefreshAt.IsZero() || st.Pokes != 1 {
		t.Errorf("after the check: %+v, want the edit pending", st)
	}
	if out := starter(t, s, "watch", "describe", "--source", "markdown:"+path); !strings.Contains(out, "refreshes at "+st.RefreshAt.Format(time.RFC3339)) {
		t.Errorf("describe: %s", out)
	}
	if err := starterErr(t, s, "watch", "create", "--source", "markdown:"+path, "--approvers", "ana@example.com"); err == nil || !strings.Contains(err.Error(), "already watched") {
		t.Errorf("second create: %v", err)
	}
	starter(t, s, "watch", "delete", "--source", "markdown:"+path)

	// A Notion page's watcher, poked by a signed webhook. The worker has
	// no Notion source, so its checks fail and are recorded: they still
	// happen, at once.
	const page = "940fd74a-8b7d-44ad-b517-2009b87b2277"
	starter(t, s, "watch", "create", "--source", "notion:"+strings.ReplaceAll(page, "-", ""), "--every", "1h", "--approvers", "ana@example.com")
	nid := workflows.WatchID("notion:" + page)
	waitWatch(t, s.temporal, nid, "first check", func(st workflows.WatchStatus) bool { return st.Checks == 1 })
	const token = "secret_e2eVerificationToken0123456789"
	hooks := httptest.NewServer(watchhook.New(watchhook.Config{Temporal: s.temporal, NotionVerificationToken: token}))
	defer hooks.Close()
	body := `{"id":"5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d","type":"page.content_updated","entity":{"id":"` + page + `","type":"page"}}`
	if code := postHook(t, hooks.URL+watchhook.NotionPath, body, watchhook.NotionSignature("secret_wrong", []byte(body))); code != http.StatusUnauthorized {
		t.Errorf("bad signature: status %d, want 401", code)
	}
	if code := postHook(t, hooks.URL+watchhook.NotionPath, body, watchhook.NotionSignature(token, []byte(body))); code != http.StatusOK {
		t.Errorf("good signature: status %d, want 200", code)
	}
	st = waitWatch(t, s.temporal, nid, "the pushed check", func(st workflows.WatchStatus) bool { return st.Checks == 2 })
	if st.Pokes != 1 || !strings.Contains(st.LastError, "no notion source") {
		t.Errorf("after the webhook: %+v, want one poke and the failed check recorded", st)
	}
	starter(t, s, "watch", "delete", "--id", nid)
	waitList(t, s, "no watchers")
	desc, err := s.temporal.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		t.Errorf("after delete: %v %v", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
}

func waitList(t *testing.T, s *stack, want string) {
	t.Helper()
	var out string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if out = starter(t, s, "watch", "list"); strings.Contains(out, want) {
			return
		}
	}
	t.Fatalf("watch list: %q, want %q", out, want)
}

// TestWatcherHistoryStaysBoundedOnTheDevServer makes a thousand checks
// and counts the events of every run: continue-as-new keeps each run's
// history bounded however long the watch lasts. The checks are asked for
// with the check signal, as push notifications do, so the test does not
// wait for the server's timers (the time-skipping tests cover those).
func TestWatcherHistoryStaysBoundedOnTheDevServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Temporal dev server; skipped under -short")
	}
	_, tc := devserver.Start(t, devserver.Options{})
	ctx := context.Background()
	srcs, err := app.Sources(ctx, app.SourcesConfig{})
	if err != nil {
		t.Fatal(err)
	}
	const queue = "watch-bounded"
	w := app.NewWorker(tc, queue, &activities.Activities{Sources: srcs}, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	source := "markdown:" + livingCopy(t)
	id := workflows.WatchID(source)
	const perRun = 100
	_, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.WatcherWorkflowName,
		workflows.WatchInput{Source: source, Every: workflows.Duration(time.Hour), Quiet: workflows.Duration(time.Hour),
			ChecksPerRun: perRun, Run: workflows.Input{Approvers: []string{"ana@example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	pokeCtx, stopPokes := context.WithCancel(ctx)
	defer stopPokes()
	go func() {
		for pokeCtx.Err() == nil {
			// Pokes that arrive during a check count as one.
			_ = tc.SignalWorkflow(pokeCtx, id, "", workflows.SignalWatchCheck, workflows.WatchPoke{By: "test"})
			time.Sleep(10 * time.Millisecond)
		}
	}()
	var st workflows.WatchStatus
	for deadline := time.Now().Add(15 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the watcher made %d checks in 15 minutes, want 1000", st.Checks)
		}
		v, err := tc.QueryWorkflow(ctx, id, "", workflows.QueryWatchStatus)
		if err != nil {
			continue // between two runs
		}
		if err := v.Get(&st); err == nil && st.Checks >= 1000 {
			break
		}
	}
	stopPokes()
	if err := tc.TerminateWorkflow(ctx, id, "", "test over"); err != nil {
		t.Fatal(err)
	}
	// Visibility catches up with the last runs a moment later.
	var resp *workflowservice.ListWorkflowExecutionsResponse
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		resp, err = tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("WorkflowId = %q", id)})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetExecutions()) > st.Runs-1 || time.Now().After(deadline) {
			break
		}
	}
	// A check is a timer started and cancelled or fired (2 events), an
	// activity (3) and two workflow tasks (3 each): 11 events. Each poke
	// adds its signal and at most one workflow task more.
	continued, longest, total := 0, 0, 0
	for _, ex := range resp.GetExecutions() {
		events, signals, checks := 0, 0, 0
		it := tc.GetWorkflowHistory(ctx, id, ex.GetExecution().GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			events++
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				signals++
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				checks++
			}
		}
		if ex.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
			continued++
			if checks != perRun {
				t.Errorf("run %s made %d checks before continuing as new, want %d", ex.GetExecution().GetRunId(), checks, perRun)
			}
		}
		if limit := checks*11 + signals*4 + 20; events > limit {
			t.Errorf("run %s has %d events for %d checks and %d pokes, over %d", ex.GetExecution().GetRunId(), events, checks, signals, limit)
		}
		longest, total = max(longest, events), total+events
	}
	t.Logf("%d checks in %d runs: %d events, the longest run %d", st.Checks, len(resp.GetExecutions()), total, longest)
	if continued < 1000/perRun {
		t.Errorf("%d runs continued as new over %d checks, want at least %d", continued, st.Checks, 1000/perRun)
	}
}

func postHook(t *testing.T, url, body, signature string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(watchhook.HeaderNotionSignature, signature)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// starterErr runs a starter command that is expected to fail.
func starterErr(t *testing.T, s *stack, args ...string) error {
	t.Helper()
	var out, errOut strings.Builder
	env := &cli.Env{Stdout: &out, Stderr: &errOut, Lookup: func(string) string { return "" },
		Dial: func(context.Context) (client.Client, error) {
			return client.NewClientFromExisting(s.temporal, client.Options{Namespace: "default"})
		}}
	return cli.Run(context.Background(), env, args)
}
