package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
)

// changeLastEdition marks runs that read how the edition before did, for
// the proof's "Last edition" block and the status. Runs started before it
// replay without the step.
const changeLastEdition = "last-edition-report"

// lastEditionOptions: the block is a nicety, so a slow or absent CRM
// delays the proof by seconds at most.
var lastEditionOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         retry(time.Second, 5*time.Second, 2),
}

// readLastEdition records the last edition's summary in status, where the
// proofs take it from. A failure is logged, never the run's end: the
// proof then goes out without the block.
func (r *run) readLastEdition(ctx workflow.Context) {
	if r.version(ctx, changeLastEdition, 1) < 1 {
		return
	}
	var res activitytypes.LastEditionResult
	err := activitytypes.ReadLastEdition.Execute(withOptions(ctx, lastEditionOptions), activitytypes.LastEditionInput{Edition: r.in.Edition}).Get(ctx, &res)
	switch {
	case err != nil:
		workflow.GetLogger(ctx).Warn("last edition's figures unavailable", "edition", r.in.Edition, "err", reason(err))
	case res.Summary != nil:
		r.status.LastEdition = res.Summary
	default:
		workflow.GetLogger(ctx).Info("no last edition block", "edition", r.in.Edition, "note", res.Note)
	}
}
