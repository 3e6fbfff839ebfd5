package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/workflows"
)

func TestLogsCarryWorkflowID(t *testing.T) {
	var out syncBuffer
	log, err := telemetry.NewLogger(&out, "json", "debug")
	if err != nil {
		t.Fatal(err)
	}
	s := startStack(t, stackOptions{observe: &telemetry.Providers{Logger: log}})
	out.take() // set-up: contact import, worker start

	id := startEdition(t, s, "2026-W42")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Not an approver: the workflow logs that the decision did not count.
	if err := s.temporal.SignalWorkflow(ctx, id, "", workflows.SignalApprove, workflows.ApproveSignal{By: "mallory@example.com"}); err != nil {
		t.Fatal(err)
	}
	approveAndWait(t, s, id)
	lines := bytes.Split(bytes.TrimSpace(out.take()), []byte("\n"))

	// The worker's own lines belong to no run.
	workerLifecycle := map[string]bool{"Started Worker": true, "Stopped Worker": true}
	seen := map[string]int{}
	for _, raw := range lines {
		var line map[string]any
		if err := json.Unmarshal(raw, &line); err != nil {
			t.Fatalf("log line %q is not JSON: %v", raw, err)
		}
		msg, _ := line[slog.MessageKey].(string)
		if workerLifecycle[msg] {
			continue
		}
		seen[msg]++
		if line["WorkflowID"] != id {
			t.Errorf("log line without WorkflowID %s: %s", id, raw)
		}
	}
	t.Logf("%d lines by message: %v", len(lines), seen)
	// Lines from workflow code, the SDK's workflow and activity loggers, an
	// activity, and the HTTP client inside activities.
	for _, msg := range []string{"decision not counted", "ExecuteActivity", "fetching document", "http request"} {
		if seen[msg] == 0 {
			t.Errorf("no %q line during the run; saw %v", msg, seen)
		}
	}
}
