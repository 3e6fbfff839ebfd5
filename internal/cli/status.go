package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/workflows"
)

func runStatus(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "status", "Show an edition's stage, sections, changes since the last edition, decisions and send progress.",
		"starter status --edition 2026-W48 --verbose")
	var t target
	t.register(fs)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	verbose := fs.Bool("verbose", false, "also print a failed run's error with its whole chain of causes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id, st, err := t.status(ctx, c)
	if err != nil {
		return err
	}
	st = withDeletions(ctx, c, st)
	if *asJSON {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	printStatus(e.Stdout, id, st)
	if *verbose {
		if failure := runFailure(ctx, c, id); failure != nil {
			fmt.Fprintf(e.Stdout, "failure: %v\n", failure)
		}
	}
	return nil
}

// runFailure is the error a closed run failed with, with every cause
// Temporal recorded; nil while the run is open or when it did not fail.
func runFailure(ctx context.Context, c client.Client, id string) error {
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return fmt.Errorf("describe %s: %w", id, err)
	}
	if desc.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		return nil
	}
	return c.GetWorkflow(ctx, id, "").Get(ctx, nil)
}

// status finds the target's run and asks it for its status.
func (t *target) status(ctx context.Context, c client.Client) (string, workflows.Status, error) {
	id, err := t.resolve(ctx, c)
	if err != nil {
		return "", workflows.Status{}, err
	}
	st, err := queryStatus(ctx, c, id)
	return id, st, err
}

// queryStatus asks the run for its status and, while it sends, reads the
// send activity's latest heartbeat for live progress.
func queryStatus(ctx context.Context, c client.Client, id string) (workflows.Status, error) {
	var st workflows.Status
	v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
	if err != nil {
		return st, fmt.Errorf("status of %s: %w", id, err)
	}
	if err := v.Get(&st); err != nil {
		return st, fmt.Errorf("status of %s: %w", id, err)
	}
	if st.Stage == workflows.StageSending {
		if p, ok := sendProgress(ctx, c, id); ok {
			st.Send = p
		}
	}
	return st, nil
}

func sendProgress(ctx context.Context, c client.Client, id string) (activitytypes.SendProgress, bool) {
	var p activitytypes.SendProgress
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		return p, false
	}
	for _, pa := range desc.GetPendingActivities() {
		if pa.GetActivityType().GetName() != "SendNewsletter" || pa.GetHeartbeatDetails() == nil {
			continue
		}
		if err := converter.GetDefaultDataConverter().FromPayloads(pa.GetHeartbeatDetails(), &p); err == nil {
			return p, true
		}
	}
	return p, false
}

func printStatus(w io.Writer, id string, st workflows.Status) {
	fmt.Fprintf(w, "%s  stage %s", id, st.Stage)
	if st.Outcome != "" {
		fmt.Fprintf(w, "  outcome %s", st.Outcome)
	}
	if st.DryRun {
		fmt.Fprint(w, "  (dry run)")
	}
	fmt.Fprintf(w, "\nsource %s  revision %s\n", st.Source, st.Revision)
	for _, s := range st.Sections {
		cat := s.Category
		if cat == "" {
			cat = "unknown"
		}
		fmt.Fprintf(w, "  section %-28q %s", s.Heading, cat)
		if len(s.Segments) > 0 {
			fmt.Fprintf(w, "  for %s", strings.Join(s.Segments, ", "))
		}
		fmt.Fprintln(w)
	}
	for _, ch := range st.Changes {
		fmt.Fprintf(w, "  %-7s %s\n", ch.Change, ch.Heading)
		for _, line := range strings.Split(strings.TrimRight(ch.Diff, "\n"), "\n") {
			if line != "" {
				fmt.Fprintf(w, "          %s\n", line)
			}
		}
	}
	if l := st.LastEdition; l != nil {
		fmt.Fprintln(w, "last edition:")
		for _, line := range l.Lines() {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
	fmt.Fprintf(w, "approvers %s; approved by %s", strings.Join(st.Approvers, ", "), orNone(st.ApprovedBy))
	if !st.ApprovalDeadline.IsZero() {
		fmt.Fprintf(w, "; deadline %s", st.ApprovalDeadline.Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintln(w)
	if len(st.Pending) > 0 && st.Stage == workflows.StageAwaitingApproval {
		fmt.Fprintf(w, "waiting for %s\n", strings.Join(st.Pending, ", "))
	}
	for _, cr := range st.ChangeRequests {
		fmt.Fprintf(w, "changes requested by %s at %s: %s\n", cr.By, cr.At.Format("15:04:05"), cr.Comment)
	}
	if len(st.ProofSentTo) > 0 {
		fmt.Fprintf(w, "proof sent to %s\n", strings.Join(st.ProofSentTo, ", "))
	}
	for _, d := range st.Decisions {
		mark := "counted"
		switch {
		case d.Action == workflows.ActionDeletePost:
			mark = d.Note + reasonSuffix(d.Comment)
		case d.Voided:
			mark = "voided: " + d.VoidReason
		case !d.Counted && d.Verified && d.Problem == "":
			mark = d.Note // accepted suggestions: the edition changed
		case !d.Counted:
			mark = "ignored: " + d.Note
		case d.OperatorIssued:
			mark = "counted (operator-issued token)"
		case d.Verified:
			mark = "counted (verified token)"
		}
		if d.Dropped != "" {
			mark += "; dropped " + d.Dropped
		}
		fmt.Fprintf(w, "  %s %-7s %-24s %s\n", d.At.Format("15:04:05"), d.Action, d.By, mark)
	}
	s := st.Send
	if s.Pages > 0 || st.Stage == workflows.StageSending || s.Done {
		fmt.Fprintf(w, "send: accepted %d, duplicate %d, rejected %d, remaining %d (%d pages)\n", s.Accepted, s.Duplicate, s.Rejected, s.Remaining(), s.Pages)
		for _, r := range s.Reasons {
			fmt.Fprintf(w, "  rejected %s: %s\n", r.To, r.Reason)
		}
	}
	printDelivery(w, st.Delivery)
	if st.UpdateURL != "" {
		fmt.Fprintf(w, "web update %s\n", st.UpdateURL)
	}
	printPosts(w, st.Posts)
	printAIStatus(w, st.AI)
	for _, m := range st.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	for _, m := range st.Errors {
		fmt.Fprintf(w, "error: %s\n", m)
	}
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "nobody yet"
	}
	return strings.Join(s, ", ")
}

// printAIStatus says how the suggestions went, what they cost and what
// was accepted.
func printAIStatus(w io.Writer, ai *workflows.AIStatus) {
	if ai == nil {
		return
	}
	if ai.State == workflows.AIOff {
		fmt.Fprintln(w, "suggestions: off (no AI_MODEL on the worker)")
		return
	}
	u := ai.Usage
	fmt.Fprintf(w, "suggestions: %s, model %s: %d suggestions, %d findings; %d requests, %d from cache, %d prompt + %d completion tokens\n",
		ai.State, ai.Model, ai.Suggestions, ai.Findings, u.Requests, u.Cached, u.PromptTokens, u.CompletionTokens)
	for _, a := range ai.Accepted {
		fmt.Fprintf(w, "  accepted %s by %s at %s: %s\n", a.ID, a.By, a.At.Format("15:04:05"), a.Text)
	}
	for _, m := range ai.Warnings {
		fmt.Fprintf(w, "  suggestion warning: %s\n", m)
	}
}
