package activities

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
)

// PruneInput says what a scheduled prune of the artifact store keeps.
type PruneInput struct {
	// KeepEditions is how many of the newest editions keep their
	// artifacts (at least 1).
	KeepEditions int `json:"keep_editions"`
	// MinAge keeps every artifact younger than this (default 24h).
	MinAge time.Duration `json:"min_age,omitempty"`
	// WorkflowType names the runs whose editions are kept while they run.
	WorkflowType string `json:"workflow_type"`
	// IDPrefix is the prefix of those runs' workflow IDs before the
	// edition.
	IDPrefix string `json:"id_prefix"`
}

// PruneArtifacts deletes the artifacts only old editions use, never those
// of a run still in progress (asked of Temporal through the worker's
// client) nor any younger than MinAge.
func (a *Activities) PruneArtifacts(ctx context.Context, in PruneInput) (artifact.PruneReport, error) {
	if in.KeepEditions < 1 {
		return artifact.PruneReport{}, nonRetryable("InvalidInput", fmt.Errorf("prune artifacts: keep_editions must be at least 1"))
	}
	running, err := RunningEditions(ctx, activity.GetClient(ctx), in.WorkflowType, in.IDPrefix)
	if err != nil {
		return artifact.PruneReport{}, fmt.Errorf("prune artifacts: find runs in progress: %w", err)
	}
	rep, err := a.Artifacts.Prune(ctx, blobstore.PruneOptions{KeepEditions: in.KeepEditions, Protect: running, MinAge: in.MinAge})
	if err != nil {
		return rep, err
	}
	activity.GetLogger(ctx).Info("pruned artifact store", "store", a.Artifacts.Name(), "deleted", rep.Deleted, "deletedBytes", rep.DeletedBytes,
		"keptEditions", len(rep.Kept), "droppedEditions", len(rep.Dropped))
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
