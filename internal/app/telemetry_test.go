package app

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/internal/telemetry/telemetrytest"
	"github.com/halcytone/contentgen/workflows"
)

// stageRun drives the metrics interceptor as NewsletterWorkflow does: it
// reports each stage, an hour apart, then ends as told.
type stageRun struct {
	Stages  []string
	Send    bool
	Outcome string
	Fail    bool
}

func stageWorkflow(ctx workflow.Context, in stageRun) (workflows.Result, error) {
	for _, st := range in.Stages {
		if err := workflow.UpsertTypedSearchAttributes(ctx, workflows.StatusKey.ValueSet(st)); err != nil {
			return workflows.Result{}, err
		}
		if err := workflow.Sleep(ctx, time.Hour); err != nil {
			return workflows.Result{}, err
		}
	}
	if in.Send {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
		var res activitytypes.SendResult
		if err := workflow.ExecuteActivity(ctx, "SendNewsletter", activitytypes.SendInput{}).Get(ctx, &res); err != nil {
			return workflows.Result{}, err
		}
	}
	if in.Fail {
		return workflows.Result{}, temporal.NewNonRetryableApplicationError("render failed", "RenderFailed", nil)
	}
	return workflows.Result{Outcome: in.Outcome}, nil
}

func fakeSend(context.Context, activitytypes.SendInput) (activitytypes.SendResult, error) {
	return activitytypes.SendResult{Accepted: 5, Duplicate: 1, Rejected: 2, Done: true}, nil
}

func TestProductMetrics(t *testing.T) {
	const hour = 3600.0
	tests := []struct {
		name        string
		run         stageRun
		outcome     string
		waitSeconds float64 // -1: no approval wait recorded
		messages    bool
	}{
		{"sent", stageRun{Stages: []string{"fetching", "rendering", "awaiting_approval", "publishing", "sending", "done"}, Send: true, Outcome: "sent"}, "sent", hour, true},
		{"rejected after a refresh", stageRun{Stages: []string{"rendering", "awaiting_approval", "fetching", "rendering", "awaiting_approval", "done"}, Outcome: "rejected"}, "rejected", 4 * hour, false},
		{"unchanged never waits", stageRun{Stages: []string{"fetching", "rendering", "done"}, Outcome: "unchanged"}, "unchanged", -1, false},
		{"failed while waiting", stageRun{Stages: []string{"awaiting_approval"}, Fail: true}, "failed", hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prom, err := telemetry.NewPrometheus()
			if err != nil {
				t.Fatal(err)
			}
			var suite testsuite.WorkflowTestSuite
			suite.SetMetricsHandler(telemetry.TemporalMetrics(telemetry.Providers{Meter: prom.MeterProvider}))
			env := suite.NewTestWorkflowEnvironment()
			// A generous deadlock limit: under -race on a busy machine a
			// workflow task can take over the SDK's default second.
			env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&productMetrics{}},
				DeadlockDetectionTimeout: 30 * time.Second})
			env.RegisterWorkflowWithOptions(stageWorkflow, workflow.RegisterOptions{Name: workflows.WorkflowName})
			env.RegisterActivityWithOptions(fakeSend, activity.RegisterOptions{Name: "SendNewsletter"})
			env.ExecuteWorkflow(workflows.WorkflowName, tt.run)
			if !env.IsWorkflowCompleted() {
				t.Fatal("workflow did not complete")
			}

			srv := httptest.NewServer(prom.Handler())
			defer srv.Close()
			fams := telemetrytest.Scrape(t, srv.URL)
			if v, ok := fams.Value("newsletter_editions_total", map[string]string{"outcome": tt.outcome}); !ok || v != 1 {
				t.Errorf("newsletter_editions_total{outcome=%s} = %v (found %v), want 1", tt.outcome, v, ok)
			}
			wait := fams.Histogram("newsletter_approval_wait_seconds", map[string]string{"outcome": tt.outcome})
			switch {
			case tt.waitSeconds < 0 && wait != nil:
				t.Errorf("approval wait recorded (%v s) for a run that never waited", wait.GetSampleSum())
			case tt.waitSeconds >= 0 && (wait == nil || wait.GetSampleCount() != 1 || wait.GetSampleSum() != tt.waitSeconds):
				t.Errorf("approval wait count %d sum %v, want 1 and %v", wait.GetSampleCount(), wait.GetSampleSum(), tt.waitSeconds)
			}
			want := map[string]float64{"accepted": 5, "duplicate": 1, "rejected": 2}
			for result, n := range want {
				v, ok := fams.Value("newsletter_messages_total", map[string]string{"result": result})
				if tt.messages && (!ok || v != n) || !tt.messages && ok {
					t.Errorf("newsletter_messages_total{result=%s} = %v (found %v), want %v recorded: %v", result, v, ok, n, tt.messages)
				}
			}
		})
	}
}
