package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/artifact"
)

// PruneWorkflowName prunes the artifact store; a Temporal Schedule runs
// it weekly (starter artifacts schedule).
const PruneWorkflowName = "PruneArtifactsWorkflow"

// PruneScheduleID names the weekly prune schedule.
const PruneScheduleID = "newsletter-artifacts-prune"

// PruneInput is what a prune keeps: the newest KeepEditions editions'
// artifacts, those of runs in progress, any younger than MinAge, and
// cached model replies younger than CacheMaxAge (default
// blobstore.DefaultCacheMaxAge).
type PruneInput struct {
	KeepEditions int      `json:"keep_editions"`
	MinAge       Duration `json:"min_age,omitempty"`
	CacheMaxAge  Duration `json:"cache_max_age,omitempty"`
}

var pruneOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Minute,
	RetryPolicy:         retry(10*time.Second, 5*time.Minute, 5),
}

// PruneArtifactsWorkflow runs one prune of the artifact store on a worker
// (which holds the store's URL and keys) and returns what it deleted.
func PruneArtifactsWorkflow(ctx workflow.Context, in PruneInput) (artifact.PruneReport, error) {
	var rep artifact.PruneReport
	act := activitytypes.PruneInput{KeepEditions: in.KeepEditions, MinAge: in.MinAge.Std(), CacheMaxAge: in.CacheMaxAge.Std(),
		WorkflowType: WorkflowName, IDPrefix: WorkflowIDPrefix}
	if err := activitytypes.PruneArtifacts.Execute(withOptions(ctx, pruneOptions), act).Get(ctx, &rep); err != nil {
		return rep, stepError("prune artifact store", err)
	}
	return rep, nil
}
