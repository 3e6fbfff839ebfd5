package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/internal/fakes"
)

// runs is the Temporal client as RefreshEdition sees it: one run in
// progress per ID in running, and scheduled runs listed by edition.
type runs struct {
	running   map[string]bool
	scheduled []string
	closed    bool // Signal-With-Start meets an edition that already ran
	swsIDs    []string
	signalled []string
	query     string
}

func (r *runs) SignalWithStartWorkflow(_ context.Context, id, signal string, _ any, opts client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	if r.closed {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow execution already finished successfully", "", "")
	}
	if opts.WorkflowIDConflictPolicy != enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING {
		return nil, errors.New("conflict policy must let the signal reach the run in progress")
	}
	r.swsIDs = append(r.swsIDs, id+"/"+signal)
	return handle{id: id}, nil
}

func (r *runs) SignalWorkflow(_ context.Context, id, _, name string, _ any) error {
	r.signalled = append(r.signalled, id+"/"+name)
	return nil
}

func (r *runs) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if !r.running[id] {
		return nil, serviceerror.NewNotFound("not found")
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
		Status: enums.WORKFLOW_EXECUTION_STATUS_RUNNING}}, nil
}

func (r *runs) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	r.query = req.GetQuery()
	resp := &workflowservice.ListWorkflowExecutionsResponse{}
	for _, id := range r.scheduled {
		resp.Executions = append(resp.Executions, &workflowpb.WorkflowExecutionInfo{Execution: &common.WorkflowExecution{WorkflowId: id}})
	}
	return resp, nil
}

type handle struct {
	client.WorkflowRun
	id string
}

func (h handle) GetID() string    { return h.id }
func (h handle) GetRunID() string { return "r1" }

func refreshInput() activitytypes.RefreshEditionInput {
	return activitytypes.RefreshEditionInput{Edition: "2026-W48", WorkflowID: "newsletter-2026-W48", WorkflowType: "NewsletterWorkflow",
		TaskQueue: "newsletter", Args: map[string]any{"source": "markdown:doc.md"}, Signal: "refresh",
		SearchAttributes: map[string]string{"NewsletterEdition": "2026-W48"}, EditionAttribute: "NewsletterEdition"}
}

func TestRefreshEdition(t *testing.T) {
	t.Run("no run: started", func(t *testing.T) {
		r := &runs{}
		var res activitytypes.RefreshEditionResult
		if err := runActivity(t, &activities.Activities{Runs: r}, (&activities.Activities{}).RefreshEdition, refreshInput(), &res); err != nil {
			t.Fatal(err)
		}
		if res.Action != "started" || res.WorkflowID != "newsletter-2026-W48" || len(r.swsIDs) != 1 || r.swsIDs[0] != "newsletter-2026-W48/refresh" {
			t.Errorf("result %+v, signal-with-start %v", res, r.swsIDs)
		}
		if !strings.Contains(r.query, `NewsletterEdition = "2026-W48"`) || !strings.Contains(r.query, "Running") {
			t.Errorf("list query %q", r.query)
		}
	})
	t.Run("run in progress: refreshed", func(t *testing.T) {
		r := &runs{running: map[string]bool{"newsletter-2026-W48": true}}
		var res activitytypes.RefreshEditionResult
		if err := runActivity(t, &activities.Activities{Runs: r}, (&activities.Activities{}).RefreshEdition, refreshInput(), &res); err != nil {
			t.Fatal(err)
		}
		if res.Action != "refreshed" || len(r.swsIDs) != 1 {
			t.Errorf("result %+v, signal-with-start %v", res, r.swsIDs)
		}
	})
	t.Run("scheduled run: signalled", func(t *testing.T) {
		r := &runs{scheduled: []string{"newsletter-weekly-2026-11-23T09:00:00Z"}}
		var res activitytypes.RefreshEditionResult
		if err := runActivity(t, &activities.Activities{Runs: r}, (&activities.Activities{}).RefreshEdition, refreshInput(), &res); err != nil {
			t.Fatal(err)
		}
		if res.Action != "refreshed" || res.WorkflowID != "newsletter-weekly-2026-11-23T09:00:00Z" || len(r.swsIDs) != 0 ||
			len(r.signalled) != 1 || r.signalled[0] != "newsletter-weekly-2026-11-23T09:00:00Z/refresh" {
			t.Errorf("result %+v, signals %v, signal-with-start %v", res, r.signalled, r.swsIDs)
		}
	})
	t.Run("edition already ran", func(t *testing.T) {
		r := &runs{closed: true}
		var res activitytypes.RefreshEditionResult
		err := runActivity(t, &activities.Activities{Runs: r}, (&activities.Activities{}).RefreshEdition, refreshInput(), &res)
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != activitytypes.ErrTypeEditionClosed || !app.NonRetryable() || !strings.Contains(app.Error(), "next edition") {
			t.Errorf("err = %v, want a non-retryable %s", err, activitytypes.ErrTypeEditionClosed)
		}
	})
}

func TestCheckRevisionFallsBackToAFetch(t *testing.T) {
	f := &fakes.Fetcher{Docs: map[string][]content.Document{"markdown:doc.md": {{Title: "Weekly", Revision: "sha256:abc"}}}}
	var res activitytypes.RevisionResult
	if err := runActivity(t, &activities.Activities{Sources: f}, (&activities.Activities{}).CheckRevision, activitytypes.RevisionInput{Source: "markdown:doc.md"}, &res); err != nil {
		t.Fatal(err)
	}
	if res.Revision != "sha256:abc" {
		t.Errorf("revision %q", res.Revision)
	}
	err := runActivity(t, &activities.Activities{Sources: f}, (&activities.Activities{}).CheckRevision, activitytypes.RevisionInput{Source: "markdown:gone.md"}, &res)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != activitytypes.ErrTypeDocumentNotFound {
		t.Errorf("missing document: %v", err)
	}
}
