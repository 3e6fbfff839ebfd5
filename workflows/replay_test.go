package workflows

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays every history recorded from the real
// dev server (see e2e's -record flag). A change to workflow code that is not
// replay-safe fails here; guard such changes with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.history.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories under workflows/testdata; record them with: go test ./e2e -run TestEndToEnd -record")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(NewsletterWorkflow, workflow.RegisterOptions{Name: WorkflowName})
			r.RegisterWorkflowWithOptions(DocumentWatcherWorkflow, workflow.RegisterOptions{Name: WatcherWorkflowName})
			hist, err := client.HistoryFromJSON(openHistory(t, f), client.HistoryJSONOptions{})
			if err != nil {
				t.Fatalf("read %s: %v", f, err)
			}
			// Tokens bind the workflow and run IDs, so the replay runs as
			// the recorded execution did.
			start := hist.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes()
			exec := workflow.Execution{ID: start.GetWorkflowId(), RunID: start.GetOriginalExecutionRunId()}
			if err := r.ReplayWorkflowHistoryWithOptions(nil, hist, worker.ReplayWorkflowHistoryOptions{OriginalExecution: exec}); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

func openHistory(t *testing.T, path string) io.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
