package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/artifact"
)

// TestPruneWorkflowPassesItsLimits: what the schedule asks for (editions
// to keep, the youngest age deleted, the cache's maximum age) reaches the
// prune activity, with the newsletter runs to protect.
func TestPruneWorkflowPassesItsLimits(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(PruneArtifactsWorkflow)
	var got activitytypes.PruneInput
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.PruneArtifacts, mock.Anything, mock.Anything).Return(func(_ context.Context, in activitytypes.PruneInput) (artifact.PruneReport, error) {
		got = in
		return artifact.PruneReport{Deleted: 3, DeletedCache: 2}, nil
	})
	env.ExecuteWorkflow(PruneArtifactsWorkflow, PruneInput{KeepEditions: 4, MinAge: Duration(48 * time.Hour), CacheMaxAge: Duration(7 * 24 * time.Hour)})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	want := activitytypes.PruneInput{KeepEditions: 4, MinAge: 48 * time.Hour, CacheMaxAge: 7 * 24 * time.Hour, WorkflowType: WorkflowName, IDPrefix: WorkflowIDPrefix}
	if got != want {
		t.Errorf("activity input %+v, want %+v", got, want)
	}
	var rep artifact.PruneReport
	if err := env.GetWorkflowResult(&rep); err != nil || rep.Deleted != 3 || rep.DeletedCache != 2 {
		t.Errorf("result %+v, %v", rep, err)
	}
}
