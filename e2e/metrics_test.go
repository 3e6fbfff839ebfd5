package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/internal/telemetry/telemetrytest"
	"github.com/halcytone/contentgen/workflows"
)

// startMetrics starts the worker's metrics endpoint as the worker main
// does with METRICS_ADDR set.
func startMetrics(t *testing.T) (*telemetry.MetricsServer, telemetry.Providers) {
	t.Helper()
	prom, err := telemetry.NewPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := telemetry.StartMetricsServer("127.0.0.1:0", prom.Handler(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		_ = prom.Shutdown(context.Background())
	})
	return srv, telemetry.Providers{Meter: prom.MeterProvider}
}

// check is one expectation on a scrape; it says what is wrong, or "".
type check func(telemetrytest.Families) string

// scrapeUntil scrapes url until every check passes or 10 s have passed,
// then fails the test with what is still wrong: the SDK records some
// metrics just after a run's result is visible.
func scrapeUntil(t *testing.T, url string, checks []check) telemetrytest.Families {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		fams := telemetrytest.Scrape(t, url)
		var wrong []string
		for _, c := range checks {
			if msg := c(fams); msg != "" {
				wrong = append(wrong, msg)
			}
		}
		if len(wrong) == 0 {
			return fams
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics at %s:\n%s", url, strings.Join(wrong, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// atLeast checks that a sample (a histogram's count) is no less than least.
func atLeast(name string, labels map[string]string, least float64) check {
	return func(f telemetrytest.Families) string {
		if v, ok := f.Value(name, labels); !ok || v < least {
			return fmt.Sprintf("%s%v = %v (found %v), want at least %v", name, labels, v, ok, least)
		}
		return ""
	}
}

// equals checks that a sample (a histogram's count) is exactly want.
func equals(name string, labels map[string]string, want float64) check {
	return func(f telemetrytest.Families) string {
		if v, ok := f.Value(name, labels); !ok || v != want {
			return fmt.Sprintf("%s%v = %v (found %v), want %v", name, labels, v, ok, want)
		}
		return ""
	}
}

func TestMetricsEndpoint(t *testing.T) {
	msrv, p := startMetrics(t)
	s := startStack(t, stackOptions{observe: &p})
	started := time.Now()
	id := startEdition(t, s, "2026-W41")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	res := approveAndWait(t, s, id)
	elapsed := time.Since(started)

	wf := map[string]string{"workflow_type": workflows.WorkflowName, "task_queue": workflows.TaskQueue, "namespace": "default"}
	sent := map[string]string{"outcome": workflows.OutcomeSent, "workflow_type": workflows.WorkflowName}
	fams := scrapeUntil(t, msrv.URL(), []check{
		// The SDK's own metrics.
		atLeast("temporal_workflow_completed_total", wf, 1),
		atLeast("temporal_activity_execution_latency_seconds", map[string]string{"activity_type": "SendNewsletter"}, 1),
		atLeast("temporal_workflow_task_execution_latency_seconds", wf, 2),
		atLeast("temporal_request_total", map[string]string{"operation": "StartWorkflowExecution"}, 1),
		// HTTP client requests to the CRM (202) and the Platform (201).
		atLeast("http_client_request_duration_seconds", map[string]string{"http_request_method": "POST", "http_response_status_code": "202"}, 2),
		atLeast("http_client_request_duration_seconds", map[string]string{"http_request_method": "POST", "http_response_status_code": "201"}, 1),
		// The product's own, with the values of this one run.
		equals("newsletter_editions_total", sent, 1),
		equals("newsletter_messages_total", map[string]string{"result": "accepted", "activity_type": "SendNewsletter"}, float64(res.Send.Accepted)),
		equals("newsletter_messages_total", map[string]string{"result": "duplicate"}, 0),
		equals("newsletter_messages_total", map[string]string{"result": "rejected"}, float64(res.Send.Rejected)),
		equals("newsletter_approval_wait_seconds", map[string]string{"outcome": workflows.OutcomeSent}, 1),
	})
	if res.Send.Accepted == 0 {
		t.Errorf("the run sent nothing: %+v", res.Send)
	}
	wait := fams.Histogram("newsletter_approval_wait_seconds", map[string]string{"outcome": workflows.OutcomeSent})
	if wait == nil || wait.GetSampleSum() <= 0 || wait.GetSampleSum() > elapsed.Seconds() {
		t.Errorf("approval wait %v s, want between 0 and the run's %v", wait.GetSampleSum(), elapsed)
	}
}
