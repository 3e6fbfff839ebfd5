// Package approvals serves the pages behind the links in proof emails
// and executes decisions as the workflow's Updates; its client helpers
// are shared with the starter.
package approvals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/workflows"
)

// Decide executes the Update of action on the run with the token, as by.
// A refused decision's error carries the workflow's problem (see Problem).
func Decide(ctx context.Context, c client.Client, workflowID, runID, action, by, tok, comment string) (string, error) {
	var arg any
	switch action {
	case token.ActionApprove:
		arg = workflows.ApproveSignal{By: by, Comment: comment, Token: tok}
	case token.ActionReject:
		arg = workflows.RejectSignal{By: by, Reason: comment, Token: tok}
	case token.ActionRequestChanges:
		arg = workflows.RequestChangesSignal{By: by, Comment: comment, Token: tok}
	default:
		return "", fmt.Errorf("unknown decision %q: use approve, request_changes or reject", action)
	}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, RunID: runID, UpdateName: action, Args: []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", action, workflowID, err)
	}
	var msg string
	if err := h.Get(ctx, &msg); err != nil {
		return "", fmt.Errorf("%s %s: %w", action, workflowID, err)
	}
	return msg, nil
}

// Accept executes the approve Update accepting the suggestions ids, as
// by with the approve token tok: the edition is rendered again with them,
// earlier approvals are voided, and a new proof goes out.
func Accept(ctx context.Context, c client.Client, workflowID, runID, by, tok, comment string, ids []string) (string, error) {
	sig := workflows.ApproveSignal{By: by, Comment: comment, Token: tok, Accept: ids}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, RunID: runID, UpdateName: workflows.UpdateApprove, Args: []any{sig},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return "", fmt.Errorf("accept suggestions on %s: %w", workflowID, err)
	}
	var msg string
	if err := h.Get(ctx, &msg); err != nil {
		return "", fmt.Errorf("accept suggestions on %s: %w", workflowID, err)
	}
	return msg, nil
}

// Problem returns the workflow's word for why a decision was refused
// (workflows.Problem…, or a token problem), or "".
func Problem(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

// Status queries a run's status.
func Status(ctx context.Context, c client.Client, workflowID, runID string) (workflows.Status, error) {
	var st workflows.Status
	v, err := c.QueryWorkflow(ctx, workflowID, runID, workflows.QueryStatus)
	if err != nil {
		return st, fmt.Errorf("query %s: %w", workflowID, err)
	}
	return st, v.Get(&st)
}

// Mint issues a token for by to take action on the run's current
// revision, as an operator holding the signing key. The audit trail marks
// decisions made with it operator-issued.
func Mint(ctx context.Context, c client.Client, keys *token.Keyring, workflowID, by, action string) (string, error) {
	st, err := Status(ctx, c, workflowID, "")
	if err != nil {
		return "", err
	}
	if st.ContentRevision == "" || st.RunID == "" || st.ApprovalDeadline.IsZero() {
		return "", fmt.Errorf("mint a token for %s: the run is not awaiting a signed approval yet (stage %s); try again once status shows %s", workflowID, st.Stage, workflows.StageAwaitingApproval)
	}
	return keys.Mint(token.Claims{WorkflowID: workflowID, RunID: st.RunID, Edition: st.Edition, Revision: st.ContentRevision,
		Approver: by, Action: action, Expires: st.ApprovalDeadline.Unix(), Operator: true})
}

// SendControlExpiry is how long an operator's send-control token lasts.
const SendControlExpiry = time.Hour

// MintSendControl issues an operator's token to pause, resume or cancel
// the run's send (action is a token.SendActions entry), as one holding
// the signing key.
func MintSendControl(ctx context.Context, c client.Client, keys *token.Keyring, workflowID, by, action string, now time.Time) (string, error) {
	st, err := Status(ctx, c, workflowID, "")
	if err != nil {
		return "", err
	}
	if st.ContentRevision == "" || st.RunID == "" {
		return "", fmt.Errorf("mint a %s token for %s: the run has no rendered edition yet (stage %s)", action, workflowID, st.Stage)
	}
	return keys.Mint(token.Claims{WorkflowID: workflowID, RunID: st.RunID, Edition: st.Edition, Revision: st.ContentRevision,
		Approver: by, Action: action, Expires: now.Add(SendControlExpiry).Unix(), Operator: true})
}

// SendControl executes a pause_send, resume_send or cancel_send Update.
func SendControl(ctx context.Context, c client.Client, workflowID, action string, sig workflows.SendControlSignal) (string, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: action, Args: []any{sig},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", action, workflowID, err)
	}
	var msg string
	if err := h.Get(ctx, &msg); err != nil {
		return "", fmt.Errorf("%s %s: %w", action, workflowID, err)
	}
	return msg, nil
}
