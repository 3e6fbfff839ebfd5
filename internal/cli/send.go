package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/workflows"
)

// sendActions maps 'starter send <verb>' to its signal and Update name.
var sendActions = map[string]string{
	"pause":  workflows.UpdatePauseSend,
	"resume": workflows.UpdateResumeSend,
	"cancel": workflows.UpdateCancelSend,
}

func runSend(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || sendActions[args[0]] == "" {
		fmt.Fprintln(e.Stderr, `Usage: starter send pause|resume|cancel --edition E --by you@example.com (--token T | --mint) [--reason …]

Pause, resume or cancel an approved edition's send. A pause holds a scheduled send, or stops
a send in flight after the batches already handed to the CRM; resume continues from there;
cancel stops for good and lists who was not sent ('starter status'). Approvers use a token
for the action; operators holding APPROVAL_SIGNING_KEYS sign one with --mint.`)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return fmt.Errorf("send needs pause, resume or cancel")
	}
	verb, action := args[0], sendActions[args[0]]
	fs := flags(e, "send "+verb, fmt.Sprintf("%s an approved edition's send (the %s Update; --signal sends the signal).", strings.ToUpper(verb[:1])+verb[1:], action),
		fmt.Sprintf("starter send %s --edition 2026-W48 --by ops@example.com --mint", verb))
	d := registerDecision(e, fs, "act", mintSendControl)
	reason := fs.String("reason", "", "why, for the record")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	c, id, tok, err := d.open(ctx, e, action)
	if err != nil {
		return err
	}
	defer c.Close()
	sig := workflows.SendControlSignal{By: d.who(), Token: tok, Reason: *reason}
	if *d.asSignal {
		if err := c.SignalWorkflow(ctx, id, "", action, sig); err != nil {
			return fmt.Errorf("%s %s: %w", action, id, err)
		}
		fmt.Fprintf(e.Stdout, "%s signal sent to %s; 'starter status' shows whether it applied\n", action, id)
		return nil
	}
	msg, err := approvals.SendControl(ctx, c, id, action, sig)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%s: %s\n", id, msg)
	return nil
}

func runTestSend(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "test-send", "Send an edition awaiting approval (or scheduled) to test addresses and seed lists (the worker's\nSEED_LISTS), every variant, subject marked [Test]. It never counts as the send.",
		"starter test-send --edition 2026-W48 --to me@example.com,qa")
	var t target
	t.register(fs)
	var to list
	fs.Var(&to, "to", "addresses and seed-list names; repeat or comma-separate")
	by := fs.String("by", e.get("NEWSLETTER_APPROVER", ""), "who asks, for the record")
	asJSON := fs.Bool("json", false, "print the test send as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(to) == 0 {
		return fmt.Errorf("--to is required: addresses or seed-list names, e.g. --to me@example.com,qa")
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id, err := t.resolve(ctx, c)
	if err != nil {
		return err
	}
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateTestSend,
		Args: []any{workflows.TestSendRequest{By: *by, To: to}}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return fmt.Errorf("test send %s: %w", id, err)
	}
	var rec workflows.TestSendRecord
	if err := h.Get(ctx, &rec); err != nil {
		return fmt.Errorf("test send %s: %w", id, err)
	}
	if *asJSON {
		return json.NewEncoder(e.Stdout).Encode(rec)
	}
	fmt.Fprintf(e.Stdout, "%s: test send %s: %d messages to %s\n", id, rec.NewsletterID, rec.Messages, strings.Join(rec.SentTo, ", "))
	return nil
}

// printDelivery shows the send time, the send's state and controls, who
// a cancelled send missed, and the test sends.
func printDelivery(w io.Writer, d *workflows.DeliveryStatus) {
	if d == nil {
		return
	}
	if !d.SendAt.IsZero() {
		fmt.Fprintf(w, "send time %s", d.SendAt.Format("2006-01-02 15:04 -07:00"))
		if d.Window != "" {
			fmt.Fprintf(w, " (%s window)", d.Window)
		}
		fmt.Fprintln(w)
	}
	if d.Summary != "" {
		fmt.Fprintf(w, "delivery: %s\n", d.Summary)
	}
	if len(d.Groups) > 0 {
		fmt.Fprintf(w, "time-zone groups (%d):\n", len(d.Groups))
		for _, g := range d.Groups {
			fmt.Fprintf(w, "  %s\n", g.Summary)
		}
		if d.NoTimezone > 0 {
			fmt.Fprintf(w, "  %d recipients without a time zone go at the edition's send time\n", d.NoTimezone)
		}
		for _, c := range d.InvalidTimezones {
			fmt.Fprintf(w, "  %d recipients with invalid time zone %q go at the edition's send time\n", c.Count, c.Timezone)
		}
	}
	for _, c := range d.Controls {
		mark := "applied"
		switch {
		case !c.Counted:
			mark = "ignored: " + c.Note
		case c.OperatorIssued:
			mark = "applied (operator-issued token)"
		}
		fmt.Fprintf(w, "  %s %-11s %-24s after %d  %s\n", c.At.Format("15:04:05"), c.Action, c.By, c.SentSoFar, mark)
	}
	if u := d.Unsent; u != nil {
		fmt.Fprintf(w, "not sent: %d recipients", u.Count)
		if u.List != nil {
			fmt.Fprintf(w, " (list: artifact %s)", u.List.Hex())
		}
		fmt.Fprintln(w)
		if len(u.Sample) > 0 {
			fmt.Fprintf(w, "  first: %s\n", strings.Join(u.Sample, ", "))
		}
	}
	for _, ts := range d.TestSends {
		res := fmt.Sprintf("%d messages to %s", ts.Messages, strings.Join(ts.SentTo, ", "))
		if ts.Error != "" {
			res = "failed: " + ts.Error
		}
		fmt.Fprintf(w, "test send %s at %s: %s\n", ts.NewsletterID, ts.At.Format("15:04:05"), res)
	}
}
