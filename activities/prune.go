package activities

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
)

// PruneArtifacts deletes the artifacts only old editions use, never those
// of a run still in progress (asked of Temporal through the worker's
// client) nor any younger than MinAge.
func (a *Activities) PruneArtifacts(ctx context.Context, in activitytypes.PruneInput) (artifact.PruneReport, error) {
	if in.KeepEditions < 1 {
		return artifact.PruneReport{}, nonRetryable("InvalidInput", fmt.Errorf("prune artifacts: keep_editions must be at least 1"))
	}
	running, err := RunningEditions(ctx, activity.GetClient(ctx), in.WorkflowType, in.IDPrefix)
	if err != nil {
		return artifact.PruneReport{}, fmt.Errorf("prune artifacts: find runs in progress: %w", err)
	}
	rep, err := a.Artifacts.Prune(ctx, blobstore.PruneOptions{KeepEditions: in.KeepEditions, Protect: running, MinAge: in.MinAge, CacheMaxAge: in.CacheMaxAge})
	if err != nil {
		return rep, err
	}
	activity.GetLogger(ctx).Info("pruned artifact store", "store", a.Artifacts.Name(), "deleted", rep.Deleted, "deletedBytes", rep.DeletedBytes,
		"deletedCache", rep.DeletedCache, "keptEditions", len(rep.Kept), "droppedEditions", len(rep.Dropped))
	return rep, nil
}

// RunningEditions lists the editions of runs of workflowType still open,
// read from their workflow IDs (idPrefix + edition).
func RunningEditions(ctx context.Context, c client.Client, workflowType, idPrefix string) ([]string, error) {
	var eds []string
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query:         fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflowType),
			NextPageToken: token,
		})
		if err != nil {
			return nil, err
		}
		for _, ex := range resp.GetExecutions() {
			if ex.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				id := ex.GetExecution().GetWorkflowId()
				if len(id) > len(idPrefix) && id[:len(idPrefix)] == idPrefix {
					eds = append(eds, id[len(idPrefix):])
				}
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return eds, nil
		}
	}
}
