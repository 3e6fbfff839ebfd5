package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// editedDoc is a living document edited at given offsets from the start
// of the test's clock; its revision counts the edits made so far.
type editedDoc struct {
	mu     sync.Mutex
	now    func() time.Time
	start  time.Time
	edits  []time.Duration
	checks []time.Duration // when the revision was asked for
}

func (d *editedDoc) Fetch(context.Context, sources.Ref) (content.Document, error) {
	return content.Document{}, errors.New("a watcher must not fetch the whole document")
}

func (d *editedDoc) Revision(_ context.Context, ref sources.Ref) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	at := d.now().Sub(d.start)
	d.checks = append(d.checks, at)
	n := 0
	for _, e := range d.edits {
		if e <= at {
			n++
		}
	}
	return fmt.Sprintf("%s@rev-%d", ref, n), nil
}

func (d *editedDoc) checked() []time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]time.Duration(nil), d.checks...)
}

// fakeRuns records Signal-With-Start calls, as the Temporal client
// would receive them.
type fakeRuns struct {
	mu       sync.Mutex
	now      func() time.Time
	start    time.Time
	calls    []swsCall
	startErr error
}

type swsCall struct {
	at     time.Duration
	id     string
	signal string
	opts   client.StartWorkflowOptions
	args   []any
}

func (f *fakeRuns) SignalWithStartWorkflow(_ context.Context, id, signal string, _ any, opts client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return nil, f.startErr
	}
	f.calls = append(f.calls, swsCall{at: f.now().Sub(f.start), id: id, signal: signal, opts: opts, args: args})
	return fakeWorkflowRun{id: id}, nil
}

func (f *fakeRuns) SignalWorkflow(context.Context, string, string, string, any) error {
	return errors.New("no run to signal")
}

func (f *fakeRuns) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return nil, serviceerror.NewNotFound("workflow not found: " + id)
}

func (f *fakeRuns) ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	return &workflowservice.ListWorkflowExecutionsResponse{}, nil
}

func (f *fakeRuns) refreshes() []swsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]swsCall(nil), f.calls...)
}

type fakeWorkflowRun struct {
	client.WorkflowRun
	id string
}

func (r fakeWorkflowRun) GetID() string    { return r.id }
func (r fakeWorkflowRun) GetRunID() string { return "run-of-" + r.id }

var watchStart = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC) // Monday of 2026-W48

type watchHarness struct {
	testsuite.WorkflowTestSuite
	env  *testsuite.TestWorkflowEnvironment
	doc  *editedDoc
	runs *fakeRuns
}

func newWatchHarness(t *testing.T, edits ...time.Duration) *watchHarness {
	t.Helper()
	h := &watchHarness{}
	h.env = h.NewTestWorkflowEnvironment()
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
	h.env.SetStartTime(watchStart)
	h.doc = &editedDoc{now: h.env.Now, start: watchStart, edits: edits}
	h.runs = &fakeRuns{now: h.env.Now, start: watchStart}
	h.env.RegisterWorkflowWithOptions(DocumentWatcherWorkflow, workflow.RegisterOptions{Name: WatcherWorkflowName})
	h.env.RegisterActivity(&activities.Activities{Sources: h.doc, Runs: h.runs})
	return h
}

func watchInput(checks int) WatchInput {
	return WatchInput{Source: "notion:940fd74a-8b7d-44ad-b517-2009b87b2277", Every: Duration(15 * time.Minute), Quiet: Duration(30 * time.Minute),
		ChecksPerRun: checks, Run: Input{Approvers: []string{"ana@example.com"}, Audience: []string{"newsletter"}}}
}

// runUntilContinued runs one watcher run to its continue-as-new and
// returns the input of the next run.
func (h *watchHarness) runUntilContinued(t *testing.T, in WatchInput) WatchInput {
	t.Helper()
	h.env.ExecuteWorkflow(WatcherWorkflowName, in)
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("watcher did not reach its continue-as-new")
	}
	var can *workflow.ContinueAsNewError
	if err := h.env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("watcher ended with %v, want continue-as-new", err)
	}
	var next WatchInput
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if can.WorkflowType.Name != WatcherWorkflowName {
		t.Fatalf("continued as %s", can.WorkflowType.Name)
	}
	return next
}

func TestWatcherRefreshesAfterTheQuietPeriodAndNotBefore(t *testing.T) {
	// Checks at 0 (baseline), 15, 30 (sees the edit made at 20), 45
	// (unchanged, not yet quiet), 60 (quiet for 30 minutes: refresh), 75.
	h := newWatchHarness(t, 20*time.Minute)
	next := h.runUntilContinued(t, watchInput(6))

	calls := h.runs.refreshes()
	if len(calls) != 1 {
		t.Fatalf("refreshes = %+v, want exactly one", calls)
	}
	c := calls[0]
	if c.at != 60*time.Minute {
		t.Errorf("refreshed at +%s, want +60m: 30 minutes after the edit was first seen at +30m, not before", c.at)
	}
	if c.id != "newsletter-2026-W48" || c.signal != SignalRefresh {
		t.Errorf("Signal-With-Start %s %s, want the refresh signal to newsletter-2026-W48", c.id, c.signal)
	}
	if got := c.opts.TypedSearchAttributes.Size(); got != 2 {
		t.Errorf("a started run carries %d search attributes, want NewsletterStatus and NewsletterEdition", got)
	}
	var run Input
	if raw, err := json.Marshal(c.args[0]); err != nil || json.Unmarshal(raw, &run) != nil {
		t.Fatalf("run input %T %v, want the newsletter input as JSON", c.args[0], c.args[0])
	}
	if run.Edition != "2026-W48" || run.Source != "notion:940fd74a-8b7d-44ad-b517-2009b87b2277" || run.Approvers[0] != "ana@example.com" || run.Audience[0] != "newsletter" {
		t.Errorf("run input = %+v, want the watch's run input for the current edition and its source", run)
	}
	want := []time.Duration{0, 15 * time.Minute, 30 * time.Minute, 45 * time.Minute, 60 * time.Minute, 75 * time.Minute}
	if got := h.doc.checked(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("checks at %v, want %v", got, want)
	}
	st := next.State
	if st == nil || st.Checks != 6 || len(st.Triggers) != 1 || st.Baseline != st.Seen || st.Triggers[0].Action != "started" ||
		st.Triggers[0].Edition != "2026-W48" || st.Triggers[0].WorkflowID != "newsletter-2026-W48" {
		t.Errorf("state carried on = %+v", st)
	}
}

func TestWatcherRestartsTheQuietPeriodOnASecondEdit(t *testing.T) {
	// The edit at 20 is seen at 30; the one at 50 at 60, just when the
	// first would have refreshed: the quiet period starts again, and the
	// refresh comes at 90.
	h := newWatchHarness(t, 20*time.Minute, 50*time.Minute)
	next := h.runUntilContinued(t, watchInput(8))
	calls := h.runs.refreshes()
	if len(calls) != 1 || calls[0].at != 90*time.Minute {
		t.Fatalf("refreshes = %+v, want one at +90m", calls)
	}
	if got := next.State.Triggers[0].Revision; got != "notion:940fd74a-8b7d-44ad-b517-2009b87b2277@rev-2" {
		t.Errorf("refreshed for revision %q, want the second edit's", got)
	}
}

func TestWatcherChecksAtOnceWhenPokedAndNotWhilePaused(t *testing.T) {
	h := newWatchHarness(t, 3*time.Minute)
	in := watchInput(4)
	in.Quiet = Duration(10 * time.Minute)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalWatchCheck, WatchPoke{By: "notion", Reason: "page.content_updated"})
	}, 4*time.Minute)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(SignalWatchPause, WatchPause{By: "ops@example.com"}) }, 5*time.Minute)
	// A poke while paused is not a check.
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(SignalWatchCheck, nil) }, 20*time.Minute)
	h.env.RegisterDelayedCallback(func() {
		st := h.queryWatch(t)
		if !st.Paused || st.PausedBy != "ops@example.com" || !st.NextCheck.IsZero() || st.Pokes != 2 {
			t.Errorf("status while paused = %+v", st)
		}
		h.env.SignalWorkflow(SignalWatchResume, nil)
	}, 60*time.Minute)
	next := h.runUntilContinued(t, in)
	// 0 baseline; 4 poked (sees the edit); paused 5..60; at 60 overdue
	// (quiet since 4): check and refresh; 75.
	want := []time.Duration{0, 4 * time.Minute, 60 * time.Minute, 75 * time.Minute}
	if got := h.doc.checked(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("checks at %v, want %v", got, want)
	}
	if calls := h.runs.refreshes(); len(calls) != 1 || calls[0].at != 60*time.Minute {
		t.Errorf("refreshes = %+v, want one at +60m, after the pause", calls)
	}
	if next.State.Paused || next.State.Pokes != 2 {
		t.Errorf("state = %+v", next.State)
	}
}

func TestWatcherRecordsAnEditionThatAlreadyRan(t *testing.T) {
	h := newWatchHarness(t, time.Minute)
	h.runs.startErr = serviceerror.NewWorkflowExecutionAlreadyStarted("workflow execution already finished", "", "")
	in := watchInput(4)
	in.Quiet = Duration(time.Minute)
	next := h.runUntilContinued(t, in)
	st := next.State
	if len(st.Triggers) != 1 || st.Triggers[0].Action != "closed" || st.Baseline != st.Seen || st.LastError != "" {
		t.Fatalf("state = %+v, want one closed trigger and no pending change", st)
	}
	if n := st.Triggers[0].Note; n == "" {
		t.Error("closed trigger has no note saying why")
	}
}

func TestWatcherStaysBoundedOverAThousandChecks(t *testing.T) {
	// One edit in the fourth run: the state carried across runs must
	// refresh once, neither losing the edit nor repeating it.
	edit := 3*100*15*time.Minute + 7*time.Minute
	var (
		doc   = &editedDoc{start: watchStart, edits: []time.Duration{edit}}
		runs  = &fakeRuns{start: watchStart}
		in    = watchInput(0)
		clock = watchStart
	)
	for run := 1; run <= 10; run++ {
		h := &watchHarness{}
		h.env = h.NewTestWorkflowEnvironment()
		h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 30 * time.Second})
		h.env.SetStartTime(clock)
		doc.now, runs.now = h.env.Now, h.env.Now
		h.doc, h.runs = doc, runs
		h.env.RegisterWorkflowWithOptions(DocumentWatcherWorkflow, workflow.RegisterOptions{Name: WatcherWorkflowName})
		h.env.RegisterActivity(&activities.Activities{Sources: doc, Runs: runs})
		in = h.runUntilContinued(t, in)
		if in.State.Checks != run*DefaultChecksPerRun || in.State.Runs != run {
			t.Fatalf("after run %d: %d checks in %d runs, want %d checks per run", run, in.State.Checks, in.State.Runs, DefaultChecksPerRun)
		}
		clock = h.env.Now()
	}
	if n := len(doc.checked()); n != 1000 {
		t.Errorf("%d checks, want 1000", n)
	}
	calls := runs.refreshes()
	if len(calls) != 1 {
		t.Fatalf("refreshes = %d, want 1", len(calls))
	}
	if seen := 3*100*15*time.Minute + 15*time.Minute; calls[0].at != seen+30*time.Minute {
		t.Errorf("refreshed at +%s, want +%s", calls[0].at, seen+30*time.Minute)
	}
}

func TestWatcherRefusesBadInput(t *testing.T) {
	for name, in := range map[string]WatchInput{
		"no source":    {Run: Input{Approvers: []string{"ana@example.com"}}},
		"bad kind":     {Source: "dropbox:x", Run: Input{Approvers: []string{"ana@example.com"}}},
		"no approvers": {Source: "markdown:doc.md"},
	} {
		t.Run(name, func(t *testing.T) {
			h := newWatchHarness(t)
			h.env.ExecuteWorkflow(WatcherWorkflowName, in)
			if err := h.env.GetWorkflowError(); err == nil {
				t.Fatal("watcher started")
			}
		})
	}
}

func (h *watchHarness) queryWatch(t *testing.T) WatchStatus {
	t.Helper()
	v, err := h.env.QueryWorkflow(QueryWatchStatus)
	if err != nil {
		t.Fatal(err)
	}
	var st WatchStatus
	if err := v.Get(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
