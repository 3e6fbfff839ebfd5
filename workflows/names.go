// Package workflows holds NewsletterWorkflow: deterministic orchestration
// of the activities that fetch, render, approve, publish and send an
// edition. Workflow code does no I/O.
package workflows

// Names shared by the worker, the starter, tests and operators' CLI calls.
const (
	TaskQueue = "newsletter"
	// AITaskQueue is where suggestion requests run (default of the worker's
	// AI_TASK_QUEUE), on a rate-limited worker of their own so a slow model
	// never delays a send.
	AITaskQueue  = "newsletter-ai"
	WorkflowName = "NewsletterWorkflow"

	// SignalApprove carries ApproveSignal: temporal workflow signal
	// --workflow-id newsletter-2026-W48 --name approve
	// --input '{"by":"ana@example.com","token":"v1.…"}'. Only a decision
	// carrying the approver's signed token from the proof counts.
	SignalApprove = "approve"
	// SignalReject carries RejectSignal.
	SignalReject = "reject"
	// SignalRequestChanges carries RequestChangesSignal: the approver asks
	// the editor for changes and the run keeps waiting.
	SignalRequestChanges = "request_changes"
	// SignalRefresh carries RefreshSignal: re-fetch and re-render, then wait again.
	SignalRefresh = "refresh"
	// UpdateApprove is the approve Temporal Update: like the signal, but the
	// caller is told at once when it is not an approver or the edition is
	// already decided.
	UpdateApprove = "approve"
	// UpdateReject and UpdateRequestChanges are the Updates of the other
	// decisions; the approvals service executes all three.
	UpdateReject         = "reject"
	UpdateRequestChanges = "request_changes"

	// QueryStatus returns Status.
	QueryStatus = "status"
	// QueryPreview returns Preview.
	QueryPreview = "preview"

	// WorkflowIDPrefix + edition is the workflow ID, so one edition runs once.
	WorkflowIDPrefix = "newsletter-"
)

// WorkflowID returns the workflow ID of an edition.
func WorkflowID(edition string) string { return WorkflowIDPrefix + edition }

// Stages a run passes through, as shown by the status query and the
// NewsletterStatus search attribute.
const (
	StageStarting         = "starting"
	StageFetching         = "fetching"
	StageRendering        = "rendering"
	StageAwaitingApproval = "awaiting_approval"
	StagePublishing       = "publishing"
	StageSending          = "sending"
	StageDone             = "done"
	StageFailed           = "failed"
)

// Outcomes of a run.
const (
	OutcomeSent     = "sent"
	OutcomeDryRun   = "dry_run"
	OutcomeRejected = "rejected"
	// OutcomeExpired ends runs started before signed approvals when no
	// decision came in time; later runs end OutcomeTimedOut.
	OutcomeExpired   = "expired"
	OutcomeTimedOut  = "timed_out"
	OutcomeUnchanged = "unchanged"
)

// Channels an edition can go out on.
const (
	ChannelEmail  = "email"
	ChannelWeb    = "web"
	ChannelSocial = "social"
)
