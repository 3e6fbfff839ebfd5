package app

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/workflows"
)

// WithTelemetry adds p's tracing interceptor and SDK metrics handler to
// Temporal client options. Workers built from the client inherit both.
func WithTelemetry(opts *client.Options, p telemetry.Providers) error {
	ics, err := telemetry.TemporalInterceptors(p)
	if err != nil {
		return err
	}
	opts.Interceptors = append(opts.Interceptors, ics...)
	if h := telemetry.TemporalMetrics(p); h != nil {
		opts.MetricsHandler = h
	}
	return nil
}

// productMetrics records the product's metrics from what the workflow and
// the send activity return and from the stages the workflow reports, so
// neither workflow nor activity code deals with metrics. It records through
// the SDK's metrics handler, which skips workflow code being replayed.
type productMetrics struct {
	interceptor.WorkerInterceptorBase
}

func (*productMetrics) InterceptActivity(_ context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &sendMetrics{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}}
}

func (*productMetrics) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	if workflow.GetInfo(ctx).WorkflowType.Name != workflows.WorkflowName {
		return next
	}
	return &editionMetrics{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}}
}

// sendMetrics counts the CRM's answers once per completed send: a retried
// send resumes from its heartbeat and returns the whole send's totals.
type sendMetrics struct {
	interceptor.ActivityInboundInterceptorBase
}

func (s *sendMetrics) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := s.Next.ExecuteActivity(ctx, in)
	if r, ok := res.(activitytypes.SendResult); ok && err == nil {
		telemetry.NewRecorder(activity.GetMetricsHandler(ctx)).Messages(r.Accepted, r.Duplicate, r.Rejected)
	}
	if activity.GetInfo(ctx).ActivityType.Name == "Enhance" {
		// Tokens spent count even when the request then failed.
		r, _ := res.(suggest.Result)
		telemetry.NewRecorder(activity.GetMetricsHandler(ctx)).AIUsage(r.Usage.PromptTokens, r.Usage.CompletionTokens, r.Usage.Requests, r.Usage.Cached, err != nil)
	}
	return res, err
}

// editionMetrics counts each finished run by outcome and times the wait
// for approval: from the first awaiting_approval stage (refreshes go on
// waiting) to the first stage after it. Its state is rebuilt by replay
// like the workflow's own.
type editionMetrics struct {
	interceptor.WorkflowInboundInterceptorBase
	waitFrom, decided time.Time
}

func (m *editionMetrics) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return m.Next.Init(&stageWatch{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, m: m})
}

func (m *editionMetrics) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	res, err := m.Next.ExecuteWorkflow(ctx, in)
	var outcome string
	switch r, ok := res.(workflows.Result); {
	case workflow.IsContinueAsNewError(err):
		return res, err
	case temporal.IsCanceledError(err):
		outcome = "canceled"
	case err != nil:
		outcome = workflows.StageFailed
	case ok:
		outcome = r.Outcome
	default:
		return res, err
	}
	rec := telemetry.NewRecorder(workflow.GetMetricsHandler(ctx))
	rec.Edition(outcome)
	if !m.waitFrom.IsZero() {
		end := m.decided
		if end.IsZero() {
			end = workflow.Now(ctx)
		}
		rec.ApprovalWait(end.Sub(m.waitFrom), outcome)
	}
	return res, err
}

// observe notes the stage the workflow reports in NewsletterStatus.
func (m *editionMetrics) observe(ctx workflow.Context, attrs []temporal.SearchAttributeUpdate) {
	stage, ok := temporal.NewSearchAttributes(attrs...).GetKeyword(workflows.StatusKey)
	if !ok {
		return
	}
	switch stage {
	case workflows.StageAwaitingApproval:
		if m.waitFrom.IsZero() {
			m.waitFrom = workflow.Now(ctx)
		}
	case workflows.StageFetching, workflows.StageRendering:
		// a refresh re-renders while the edition still waits
	default:
		if !m.waitFrom.IsZero() && m.decided.IsZero() {
			m.decided = workflow.Now(ctx)
		}
	}
}

// stageWatch passes stage updates to editionMetrics on their way out.
type stageWatch struct {
	interceptor.WorkflowOutboundInterceptorBase
	m *editionMetrics
}

func (s *stageWatch) UpsertTypedSearchAttributes(ctx workflow.Context, attrs ...temporal.SearchAttributeUpdate) error {
	s.m.observe(ctx, attrs)
	return s.Next.UpsertTypedSearchAttributes(ctx, attrs...)
}

func (s *stageWatch) UpsertTypedSearchAttributesWithOptions(ctx workflow.Context, attrs []temporal.SearchAttributeUpdate, opts workflow.UpsertSearchAttributesOptions) error {
	s.m.observe(ctx, attrs)
	return s.Next.UpsertTypedSearchAttributesWithOptions(ctx, attrs, opts)
}
