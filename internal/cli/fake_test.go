package cli

import (
	"bytes"
	"context"
	"sync"
	"time"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeClient is the part of the Temporal client the commands use, shaped
// like the real one: errors are Temporal service errors. Calls the
// commands are not expected to make panic through the nil embedded client.
type fakeClient struct {
	client.Client

	mu         sync.Mutex
	describe   map[string]error // workflow ID → Describe error; absent IDs are found
	list       []*workflowpb.WorkflowExecutionInfo
	listErr    error
	listQuery  string
	signals    []sentSignal
	started    []client.StartWorkflowOptions
	startInput []any
	startErr   error
	// running names workflow IDs that already have a run: as in the SDK,
	// ExecuteWorkflow returns that run unless the options ask for an
	// error when it is already started.
	running map[string]string // workflow ID → run ID
	query   map[string]any    // query type → result
	closed  bool
}

type sentSignal struct {
	id, name string
	arg      any
}

func (f *fakeClient) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	if err := f.describe[id]; err != nil {
		return nil, err
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{}, nil
}

func (f *fakeClient) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.listQuery = req.GetQuery()
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &workflowservice.ListWorkflowExecutionsResponse{Executions: f.list}, nil
}

func (f *fakeClient) SignalWorkflow(_ context.Context, id, _ string, name string, arg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.describe[id]; err != nil {
		return err
	}
	f.signals = append(f.signals, sentSignal{id, name, arg})
	return nil
}

func (f *fakeClient) ExecuteWorkflow(_ context.Context, opts client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	if f.startErr != nil {
		return nil, f.startErr
	}
	if runID, ok := f.running[opts.ID]; ok {
		if opts.WorkflowExecutionErrorWhenAlreadyStarted {
			return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("Workflow execution is already running. WorkflowId: "+opts.ID+", RunId: "+runID+".", "", runID)
		}
		return fakeRun{id: opts.ID, runID: runID}, nil
	}
	f.started = append(f.started, opts)
	f.startInput = append(f.startInput, args...)
	return fakeRun{id: opts.ID}, nil
}

func (f *fakeClient) QueryWorkflow(_ context.Context, id, _ string, queryType string, _ ...any) (converter.EncodedValue, error) {
	if err := f.describe[id]; err != nil {
		return nil, err
	}
	p, err := converter.GetDefaultDataConverter().ToPayloads(f.query[queryType])
	if err != nil {
		return nil, err
	}
	return client.NewValue(p), nil
}

func (f *fakeClient) Close() { f.closed = true }

type fakeRun struct {
	client.WorkflowRun
	id, runID string
}

func (r fakeRun) GetID() string { return r.id }
func (r fakeRun) GetRunID() string {
	if r.runID != "" {
		return r.runID
	}
	return "run-1"
}

func execution(id string, started time.Time) *workflowpb.WorkflowExecutionInfo {
	return &workflowpb.WorkflowExecutionInfo{
		Execution: &common.WorkflowExecution{WorkflowId: id, RunId: id + "-run"},
		StartTime: timestamppb.New(started),
	}
}

// testEnv returns an Env that dials f and reads variables from vars.
func testEnv(f *fakeClient, vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Env{
		Lookup: func(k string) string { return vars[k] },
		Stdout: &stdout, Stderr: &stderr,
		Dial: func(context.Context) (client.Client, error) { return f, nil },
	}, &stdout, &stderr
}
