package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
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
// by its NewsletterEdition search attribute). Errors other than "not found"
// are returned: guessing an ID would only hide an unreachable server or a
// missing permission behind a misleading "workflow not found".
func (t *target) resolve(ctx context.Context, c client.Client) (string, error) {
	id := t.id()
	if t.workflowID != "" {
		return id, nil
	}
	_, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err == nil {
		return id, nil
	}
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		return "", fmt.Errorf("find the run of edition %s: describe %s: %w", t.edition, id, err)
	}
	query := fmt.Sprintf("%s = %q", workflows.SearchAttrEdition, t.edition)
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
	if err != nil {
		return "", fmt.Errorf("find the run of edition %s: no workflow %s, and listing runs with %s failed "+
			"(is the %s search attribute registered?): %w", t.edition, id, query, workflows.SearchAttrEdition, err)
	}
	var newest *workflowpb.WorkflowExecutionInfo
	for _, e := range resp.GetExecutions() {
		if newest == nil || e.GetStartTime().AsTime().After(newest.GetStartTime().AsTime()) {
			newest = e
		}
	}
	if newest == nil {
		return "", fmt.Errorf("no run of edition %s: no workflow %s and no scheduled run with %s; "+
			"check the edition, or pass --workflow-id", t.edition, id, query)
	}
	return newest.GetExecution().GetWorkflowId(), nil
}

// minter signs a token for by to take action on run id, as an operator
// holding the signing key: approvals.Mint for decisions on the revision
// awaiting approval, a send-control minter for pausing, resuming or
// cancelling a send.
type minter func(ctx context.Context, c client.Client, keys *token.Keyring, id, by, action string) (string, error)

// mintSendControl is approvals.MintSendControl as a minter, expiring an
// hour from now.
func mintSendControl(ctx context.Context, c client.Client, keys *token.Keyring, id, by, action string) (string, error) {
	return approvals.MintSendControl(ctx, c, keys, id, by, action, time.Now())
}

// decisionFlags are the flags of every command that acts on a run with a
// token: --by, and --token or --mint.
type decisionFlags struct {
	target
	by, tok  *string
	mint     *bool
	asSignal *bool
	// accept holds suggestion IDs an approval accepts.
	accept list
	// verb says what --by does in errors: "the address you <verb> as".
	verb   string
	minter minter
}

// registerDecision registers the flags of a command that decides as
// verb ("decide", "approve", "act"), minting with m under --mint.
func registerDecision(e *Env, fs *flag.FlagSet, verb string, m minter) *decisionFlags {
	d := &decisionFlags{verb: verb, minter: m}
	d.register(fs)
	d.by = fs.String("by", e.get("NEWSLETTER_APPROVER", ""), "your address, as listed among the approvers, or an operator's with --mint (NEWSLETTER_APPROVER)")
	d.tok = fs.String("token", "", "your token for this action, from the proof email")
	d.mint = fs.Bool("mint", false, "operators only: sign a token for --by with APPROVAL_SIGNING_KEYS; the audit trail marks it operator-issued")
	d.asSignal = fs.Bool("signal", false, "send the signal instead of the Update (what 'temporal workflow signal' and tctl send)")
	return d
}

// check refuses a missing --by, and both or neither of --token and --mint.
func (d *decisionFlags) check() error {
	if *d.by == "" {
		return fmt.Errorf("--by is required: the address you %s as", d.verb)
	}
	if (*d.tok == "") == !*d.mint {
		return fmt.Errorf("give --token (from your proof email) or, as an operator holding the signing key, --mint")
	}
	return nil
}

// who is --by as tokens name it: lower-case, trimmed.
func (d *decisionFlags) who() string { return strings.ToLower(strings.TrimSpace(*d.by)) }

// token is --token, or with --mint a token signed for --by to take
// action on run id.
func (d *decisionFlags) token(ctx context.Context, e *Env, c client.Client, id, action string) (string, error) {
	if !*d.mint {
		return *d.tok, nil
	}
	keys, err := token.ParseKeys(e.get("APPROVAL_SIGNING_KEYS", ""))
	if err != nil {
		return "", fmt.Errorf("--mint: %w", err)
	}
	return d.minter(ctx, c, keys, id, d.who(), action)
}

// open checks the flags, dials Temporal and finds the run and the token
// for action; the caller closes the client.
func (d *decisionFlags) open(ctx context.Context, e *Env, action string) (client.Client, string, string, error) {
	if err := d.check(); err != nil {
		return nil, "", "", err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return nil, "", "", err
	}
	id, err := d.resolve(ctx, c)
	if err != nil {
		c.Close()
		return nil, "", "", err
	}
	tok, err := d.token(ctx, e, c, id, action)
	if err != nil {
		c.Close()
		return nil, "", "", err
	}
	return c, id, tok, nil
}

// decide sends one decision with its token, as an Update unless --signal.
func decide(ctx context.Context, e *Env, d *decisionFlags, action, comment string) error {
	c, id, tok, err := d.open(ctx, e, action)
	if err != nil {
		return err
	}
	defer c.Close()
	if *d.asSignal {
		var arg any
		switch action {
		case token.ActionApprove:
			arg = workflows.ApproveSignal{By: *d.by, Comment: comment, Token: tok, Accept: d.accept}
		case token.ActionReject:
			arg = workflows.RejectSignal{By: *d.by, Reason: comment, Token: tok}
		default:
			arg = workflows.RequestChangesSignal{By: *d.by, Comment: comment, Token: tok}
		}
		if err := c.SignalWorkflow(ctx, id, "", action, arg); err != nil {
			return fmt.Errorf("%s %s: %w", action, id, err)
		}
		fmt.Fprintf(e.Stdout, "%s signal sent to %s as %s; 'starter status' shows whether it counted\n", action, id, *d.by)
		return nil
	}
	var msg string
	if len(d.accept) > 0 {
		msg, err = approvals.Accept(ctx, c, id, "", *d.by, tok, comment, d.accept)
	} else {
		msg, err = approvals.Decide(ctx, c, id, "", action, *d.by, tok, comment)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%s: %s\n", id, msg)
	return nil
}

func runApprove(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "approve", "Approve an edition with your token from the proof email. By default this is a Temporal Update,\nso you are told at once if the token or the edition does not allow it; --signal sends the\napprove signal instead (what 'temporal workflow signal --name approve' and tctl send).",
		"starter approve --edition 2026-W48 --by ana@example.com --token v1.… --comment 'Looks good'")
	d := registerDecision(e, fs, "decide", approvals.Mint)
	comment := fs.String("comment", "", "optional comment for the audit trail")
	fs.Var(&d.accept, "accept", "suggestions to accept by ID, e.g. subject:2,social.x ('starter preview' lists them); the edition\nthen changes, approvals are voided and a new proof goes out, which needs approving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return decide(ctx, e, d, token.ActionApprove, *comment)
}

func runReject(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "reject", "Reject an edition with your token from the proof email: the run ends as rejected and nothing\nis published or sent.",
		"starter reject --edition 2026-W48 --by ana@example.com --token v1.… --reason 'Hardware dates are wrong'")
	d := registerDecision(e, fs, "decide", approvals.Mint)
	reason := fs.String("reason", "", "why, for the editor and the audit trail")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return decide(ctx, e, d, token.ActionReject, *reason)
}

func runRequestChanges(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "request-changes", "Ask the editor for changes with your token from the proof email: the other approvers and\nthe editors are told, and the run waits for a refresh or a decision.",
		"starter request-changes --edition 2026-W48 --by ana@example.com --token v1.… --comment 'The tip needs a source'")
	d := registerDecision(e, fs, "decide", approvals.Mint)
	comment := fs.String("comment", "", "what should change (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if strings.TrimSpace(*comment) == "" {
		return fmt.Errorf("--comment is required: say what should change")
	}
	return decide(ctx, e, d, token.ActionRequestChanges, *comment)
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
	id, err := t.resolve(ctx, c)
	if err != nil {
		return err
	}
	if err := c.SignalWorkflow(ctx, id, "", name, arg); err != nil {
		return fmt.Errorf("%s %s: %w", name, id, err)
	}
	fmt.Fprintf(e.Stdout, "%s signal sent to %s; 'starter status' shows whether it counted\n", name, id)
	return nil
}
