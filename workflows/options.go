package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Activity options, one set per kind of step. Non-retryable errors
// (missing document, 4xx, parse failures) end a step at once whatever the
// policy says.
var (
	fetchOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         retry(2*time.Second, time.Minute, 5),
	}
	// Fetching, parsing and rendering a document of megabytes takes tens
	// of seconds on a busy worker; the activity heartbeats meanwhile, so a
	// worker that dies mid-way is noticed within a minute and the next
	// attempt starts then, not when the five minutes are up.
	prepareOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         retry(2*time.Second, time.Minute, 5),
	}
	localOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         retry(time.Second, 10*time.Second, 3),
	}
	platformReadOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         retry(time.Second, 30*time.Second, 5),
	}
	// A proof of a large edition uploads megabytes of content to the CRM;
	// the upload heartbeats per variant, so a lost worker is noticed within
	// the heartbeat timeout while a slow upload may take its time.
	proofOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         retry(time.Second, 30*time.Second, 5),
	}
	// A token check is a local computation; a worker that cannot do it
	// (no keys) fails it at once.
	verifyOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         retry(time.Second, 5*time.Second, 3),
	}
	publishOptions = workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         retry(time.Second, time.Minute, 10),
	}
	// The send heartbeats every few seconds; a worker that dies is noticed
	// within HeartbeatTimeout and the next attempt resumes from the last
	// acknowledged page. Twenty attempts with backoff up to two minutes give
	// a CRM outage about half an hour before the run fails.
	sendOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 4 * time.Hour,
		HeartbeatTimeout:    15 * time.Second,
		RetryPolicy:         retry(time.Second, 2*time.Minute, 20),
	}
)

func retry(initial, maxInterval time.Duration, attempts int32) *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: initial, BackoffCoefficient: 2, MaximumInterval: maxInterval, MaximumAttempts: attempts}
}

func withOptions(ctx workflow.Context, o workflow.ActivityOptions) workflow.Context {
	return workflow.WithActivityOptions(ctx, o)
}
