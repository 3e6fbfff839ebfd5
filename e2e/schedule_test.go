package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/internal/cli"
	"github.com/halcytone/contentgen/workflows"
)

func starter(t *testing.T, s *stack, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &errOut, Lookup: func(k string) string {
		if k == "APPROVAL_SIGNING_KEYS" {
			return s.signingKeys
		}
		return ""
	},
		Dial: func(context.Context) (client.Client, error) {
			return client.NewClientFromExisting(s.temporal, client.Options{Namespace: "default"})
		}}
	if err := cli.Run(context.Background(), env, args); err != nil {
		t.Fatalf("starter %v: %v\n%s", args, err, errOut.String())
	}
	return out.String()
}

// runsOf lists the runs of an edition by its search attribute.
func runsOf(t *testing.T, s *stack, ed string, want int) []string {
	t.Helper()
	var ids []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		resp, err := s.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("%s = %q", workflows.SearchAttrEdition, ed)})
		if err != nil {
			t.Fatal(err)
		}
		ids = ids[:0]
		for _, e := range resp.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if len(ids) >= want {
			return ids
		}
	}
	t.Fatalf("edition %s has runs %v, want %d", ed, ids, want)
	return nil
}

// TestScheduleEditionsFollowScheduledTime creates the weekly schedule with
// the starter, backfills two past weeks and triggers this one: each run
// gets the edition of its own scheduled week, and triggering a week that
// was already sent sends nothing again.
func TestScheduleEditionsFollowScheduledTime(t *testing.T) {
	s := startStack(t, stackOptions{})
	starter(t, s, "schedule", "create", "--cron", "0 9 * * MON", "--timezone", "UTC",
		"--source", "markdown:examples/living-document.md", "--approvers", "ana@example.com", "--timeout", "10m")
	if out := starter(t, s, "schedule", "describe"); !bytes.Contains([]byte(out), []byte("overlap Skip")) {
		t.Errorf("describe: %s, want overlap Skip", out)
	}

	// Backfill the Mondays of the two weeks before this one.
	now := time.Now().UTC()
	thisMonday, _ := edition.WeekStart(edition.ForTime(now))
	from := thisMonday.AddDate(0, 0, -14)
	starter(t, s, "schedule", "backfill", "--start", from.Format(time.RFC3339), "--end", thisMonday.Add(-time.Hour).Format(time.RFC3339))
	for _, week := range []time.Time{from, from.AddDate(0, 0, 7)} {
		ed := edition.ForTime(week)
		runsOf(t, s, ed, 1)
	}

	// Trigger this week, approve it, and let it send.
	ed := edition.ForTime(now)
	starter(t, s, "schedule", "trigger")
	id := runsOf(t, s, ed, 1)[0]
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	starter(t, s, "approve", "--edition", ed, "--by", "ana@example.com", "--mint")
	if res := result(t, s, id); res.Outcome != workflows.OutcomeSent || res.Edition != ed {
		t.Fatalf("triggered run: %+v, want sent for %s", res, ed)
	}

	// A second trigger of the same week finds nothing new to send.
	starter(t, s, "schedule", "trigger")
	ids := runsOf(t, s, ed, 2)
	second := ids[0]
	if second == id {
		second = ids[1]
	}
	if res := result(t, s, second); res.Outcome != workflows.OutcomeUnchanged {
		t.Errorf("second trigger of %s: outcome %q, want unchanged", ed, res.Outcome)
	}
	ctx := context.Background()
	page, err := s.crmClient.Deliveries(ctx, workflows.WorkflowID(ed), "", "", crm.MaxDeliveriesPage)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != s.contactCount {
		t.Errorf("edition %s delivered %d messages, want one per contact (%d)", ed, page.Total, s.contactCount)
	}
	starter(t, s, "schedule", "delete")
}

// TestWeeklyPruneSchedule creates the prune schedule with the starter and
// triggers it: a worker prunes the store, keeping the newest edition's
// artifacts and deleting those only an older edition used, and cached
// model replies older than the schedule's --cache-max-age.
func TestWeeklyPruneSchedule(t *testing.T) {
	s := startStack(t, stackOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	old, err := s.artifacts.Put(ctx, "2026-W01", "text/plain", []byte("only the old edition uses this"))
	if err != nil {
		t.Fatal(err)
	}
	cache, err := s.artifacts.Cache("suggestions")
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.Put(ctx, "old-reply", []byte(`{"subject":"cached"}`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond) // the newer edition's record is younger
	kept, err := s.artifacts.Put(ctx, "2026-W02", "text/plain", []byte("the newest edition uses this"))
	if err != nil {
		t.Fatal(err)
	}
	out := starter(t, s, "artifacts", "schedule", "--keep-editions", "1", "--min-age", "1ns", "--cache-max-age", "10ms", "--cron", "0 3 * * SUN")
	if !strings.Contains(out, workflows.PruneScheduleID) {
		t.Fatalf("artifacts schedule: %s", out)
	}
	h := s.temporal.ScheduleClient().GetHandle(ctx, workflows.PruneScheduleID)
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if act, ok := desc.Schedule.Action.(*client.ScheduleWorkflowAction); !ok || act.Workflow != workflows.PruneWorkflowName {
		t.Fatalf("schedule action %+v, want %s", desc.Schedule.Action, workflows.PruneWorkflowName)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	var runID string
	for runID == "" && ctx.Err() == nil {
		if desc, err = h.Describe(ctx); err == nil && len(desc.Info.RecentActions) > 0 {
			runID = desc.Info.RecentActions[0].StartWorkflowResult.FirstExecutionRunID
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rep artifact.PruneReport
	if err := s.temporal.GetWorkflow(ctx, desc.Info.RecentActions[0].StartWorkflowResult.WorkflowID, runID).Get(ctx, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 1 || strings.Join(rep.Kept, ",") != "2026-W02" || rep.DeletedCache != 1 {
		t.Errorf("prune report %+v: want the old edition's one artifact and the cached reply deleted, 2026-W02 kept", rep)
	}
	if _, ok, err := cache.Get(ctx, "old-reply"); ok || err != nil {
		t.Errorf("cached reply after the prune: found %v, %v; want it deleted", ok, err)
	}
	if _, err := s.artifacts.Get(ctx, old); !errors.Is(err, artifact.ErrMissing) {
		t.Errorf("old edition's artifact after the prune: %v, want missing", err)
	}
	if _, err := s.artifacts.Get(ctx, kept); err != nil {
		t.Errorf("newest edition's artifact after the prune: %v", err)
	}
	starter(t, s, "artifacts", "schedule", "--delete")
}
