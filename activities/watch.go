package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/sources"
)

// Reviser is a Fetcher that tells a document's revision without a full
// fetch (sources.Registry is one).
type Reviser interface {
	Revision(ctx context.Context, ref sources.Ref) (string, error)
}

// Runs is what a watcher's activities need of the Temporal client.
type Runs interface {
	SignalWithStartWorkflow(ctx context.Context, workflowID, signalName string, signalArg any,
		options client.StartWorkflowOptions, workflow any, workflowArgs ...any) (client.WorkflowRun, error)
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	ListWorkflow(ctx context.Context, request *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
}

var _ Runs = client.Client(nil)

// CheckRevision asks the source for the document's current revision:
// one small request where the source can (Docs revisionId, Notion
// last_edited_time, a Markdown ETag), a full fetch where it cannot.
func (a *Activities) CheckRevision(ctx context.Context, in activitytypes.RevisionInput) (activitytypes.RevisionResult, error) {
	ref, err := sources.ParseRef(in.Source)
	if err != nil {
		return activitytypes.RevisionResult{}, nonRetryable(activitytypes.ErrTypeBadSource, err)
	}
	var rev string
	if rv, ok := a.Sources.(Reviser); ok {
		rev, err = rv.Revision(ctx, ref)
	} else {
		var doc, ferr = a.Sources.Fetch(ctx, ref)
		rev, err = sources.DocumentRevision(doc), ferr
	}
	if err != nil {
		return activitytypes.RevisionResult{}, classifySource(err)
	}
	return activitytypes.RevisionResult{Revision: rev}, nil
}

// RefreshEdition signals the edition's run in progress to re-fetch the
// document, or starts the run when there is none, with Signal-With-Start:
// start and signal happen together, so a run starting at the same moment
// gets the signal rather than a second start. A run a schedule started for
// the edition under its own ID is found by the edition search attribute
// and signalled.
func (a *Activities) RefreshEdition(ctx context.Context, in activitytypes.RefreshEditionInput) (activitytypes.RefreshEditionResult, error) {
	runs := a.Runs
	if runs == nil {
		runs = activity.GetClient(ctx)
	}
	signalArg := in.SignalArg
	if id := a.scheduledRun(ctx, runs, in); id != "" {
		if err := runs.SignalWorkflow(ctx, id, "", in.Signal, signalArg); err == nil {
			return activitytypes.RefreshEditionResult{WorkflowID: id, Action: "refreshed"}, nil
		}
		// It ended meanwhile: fall through to the edition's own ID.
	}
	action := "started"
	if d, err := runs.DescribeWorkflowExecution(ctx, in.WorkflowID, ""); err == nil &&
		d.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		action = "refreshed"
	}
	opts := client.StartWorkflowOptions{
		ID:                       in.WorkflowID,
		TaskQueue:                in.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	if len(in.SearchAttributes) > 0 {
		var updates []temporal.SearchAttributeUpdate
		for k, v := range in.SearchAttributes {
			updates = append(updates, temporal.NewSearchAttributeKeyKeyword(k).ValueSet(v))
		}
		opts.TypedSearchAttributes = temporal.NewSearchAttributes(updates...)
	}
	run, err := runs.SignalWithStartWorkflow(ctx, in.WorkflowID, in.Signal, signalArg, opts, in.WorkflowType, in.Args)
	if err != nil {
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return activitytypes.RefreshEditionResult{}, nonRetryable(activitytypes.ErrTypeEditionClosed, fmt.Errorf(
				"edition %s already ran (%s) and does not run twice; the change goes into the next edition", in.Edition, in.WorkflowID))
		}
		return activitytypes.RefreshEditionResult{}, failure(activitytypes.ErrTypeUnavailable, fmt.Errorf("signal-with-start %s: %w", in.WorkflowID, err), temporal.ApplicationErrorOptions{})
	}
	activity.GetLogger(ctx).Info("edition refreshed for a document change", "edition", in.Edition, "workflowID", run.GetID(), "action", action)
	return activitytypes.RefreshEditionResult{WorkflowID: run.GetID(), RunID: run.GetRunID(), Action: action}, nil
}

// scheduledRun finds a run of the edition in progress under another ID
// than the edition's own (a Schedule names its runs), or "". Listing is
// best effort: without the search attribute there is nothing to find.
func (a *Activities) scheduledRun(ctx context.Context, runs Runs, in activitytypes.RefreshEditionInput) string {
	if in.EditionAttribute == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	query := fmt.Sprintf("%s = %q AND ExecutionStatus = 'Running'", in.EditionAttribute, in.Edition)
	resp, err := runs.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
	if err != nil {
		activity.GetLogger(ctx).Warn("list the edition's runs", "query", query, "err", err)
		return ""
	}
	for _, e := range resp.GetExecutions() {
		if id := e.GetExecution().GetWorkflowId(); id != in.WorkflowID {
			return id
		}
	}
	return ""
}
