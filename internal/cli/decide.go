package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/workflows"
)

// target names the run a command acts on.
type target struct {
	edition    string
	workflowID string
}

func (t *target) register(fs *flag.FlagSet) {
	fs.StringVar(&t.edition, "edition", edition.ForTime(time.Now()), "edition; default the current ISO week")
	fs.StringVar(&t.workflowID, "workflow-id", "", "workflow ID, instead of --edition (e.g. a scheduled run's ID)")
}

func (t *target) id() string {
	if t.workflowID != "" {
		return t.workflowID
	}
	return workflows.WorkflowID(t.edition)
}

// resolve finds the run of the edition: newsletter-<edition> when started
// by hand, else the newest run a schedule started for that edition (found
// by its NewsletterEdition search attribute).
func (t *target) resolve(ctx context.Context, c client.Client) string {
	id := t.id()
	if t.workflowID != "" {
		return id
	}
	if _, err := c.DescribeWorkflowExecution(ctx, id, ""); err == nil {
		return id
	}
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("%s = %q", workflows.SearchAttrEdition, t.edition),
	})
	if err != nil {
		return id
	}
	var newest *workflowpb.WorkflowExecutionInfo
	for _, e := range resp.GetExecutions() {
		if newest == nil || e.GetStartTime().AsTime().After(newest.GetStartTime().AsTime()) {
			newest = e
		}
	}
	if newest != nil {
		return newest.GetExecution().GetWorkflowId()
	}
	return id
}

func runApprove(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "approve", "Approve an edition. By default this is a Temporal Update, so you are told at once if you\nare not an approver or the edition is already decided; --signal sends the approve signal instead\n(what 'temporal workflow signal --name approve' and tctl send).",
		"starter approve --edition 2026-W48 --by ana@example.com --comment 'Looks good'")
	var t target
	t.register(fs)
	by := fs.String("by", e.get("NEWSLETTER_APPROVER", ""), "your address, as listed among the approvers (NEWSLETTER_APPROVER)")
	comment := fs.String("comment", "", "optional comment for the audit trail")
	asSignal := fs.Bool("signal", false, "send the approve signal instead of the update")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *by == "" {
		return fmt.Errorf("--by is required: the address you approve as")
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id := t.resolve(ctx, c)
	sig := workflows.ApproveSignal{By: *by, Comment: *comment}
	if *asSignal {
		if err := c.SignalWorkflow(ctx, id, "", workflows.SignalApprove, sig); err != nil {
			return fmt.Errorf("approve %s: %w", id, err)
		}
		fmt.Fprintf(e.Stdout, "approve signal sent to %s as %s; 'starter status' shows whether it counted\n", id, *by)
		return nil
	}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: id, UpdateName: workflows.UpdateApprove, Args: []any{sig},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	var msg string
	if err := h.Get(ctx, &msg); err != nil {
		return fmt.Errorf("approve %s: %w", id, err)
	}
	fmt.Fprintf(e.Stdout, "%s: %s\n", id, msg)
	return nil
}

func runReject(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "reject", "Reject an edition: the run ends as rejected and nothing is published or sent.",
		"starter reject --edition 2026-W48 --by ana@example.com --reason 'Hardware dates are wrong'")
	var t target
	t.register(fs)
	by := fs.String("by", e.get("NEWSLETTER_APPROVER", ""), "your address, as listed among the approvers (NEWSLETTER_APPROVER)")
	reason := fs.String("reason", "", "why, for the editor and the audit trail")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *by == "" {
		return fmt.Errorf("--by is required: the address you reject as")
	}
	return signal(ctx, e, &t, workflows.SignalReject, workflows.RejectSignal{By: *by, Reason: *reason})
}

func runRefresh(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "refresh", "Re-fetch and re-render an edition awaiting approval (after the editor changed the document);\nit then waits for approval again and a new proof is sent.",
		"starter refresh --edition 2026-W48 --by ed@example.com")
	var t target
	t.register(fs)
	by := fs.String("by", e.get("NEWSLETTER_APPROVER", ""), "who asks for the refresh")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return signal(ctx, e, &t, workflows.SignalRefresh, workflows.RefreshSignal{By: *by})
}

func signal(ctx context.Context, e *Env, t *target, name string, arg any) error {
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id := t.resolve(ctx, c)
	if err := c.SignalWorkflow(ctx, id, "", name, arg); err != nil {
		return fmt.Errorf("%s %s: %w", name, id, err)
	}
	fmt.Fprintf(e.Stdout, "%s signal sent to %s; 'starter status' shows whether it counted\n", name, id)
	return nil
}
