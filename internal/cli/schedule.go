package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/workflows"
)

// DefaultScheduleID names the weekly schedule.
const DefaultScheduleID = "newsletter-weekly"

func runSchedule(ctx context.Context, e *Env, args []string) error {
	subs := map[string]func(context.Context, *Env, []string) error{
		"create": scheduleCreate, "update": scheduleUpdate, "describe": scheduleDescribe, "list": scheduleList,
		"pause": schedulePause, "unpause": scheduleUnpause, "trigger": scheduleTrigger, "backfill": scheduleBackfill,
		"delete": scheduleDelete,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprintln(e.Stderr, `Usage: starter schedule create|update|describe|list|pause|unpause|trigger|backfill|delete [flags]

Manage the Temporal Schedule that starts the weekly edition. Each run derives its
edition from the scheduled start time, so a backfilled week keeps its own edition.

Example:
  starter schedule create --cron "0 9 * * MON" --timezone Europe/London \
    --source markdown:examples/living-document.md --approvers ana@example.com`)
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			return nil
		}
		return fmt.Errorf("unknown schedule command %q", args[0])
	}
	return subs[args[0]](ctx, e, args[1:])
}

// specFlags are the timing flags of create and update.
type specFlags struct {
	cron     string
	timezone string
	catchup  time.Duration
	jitter   time.Duration
}

func (s *specFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.cron, "cron", "0 9 * * MON", "cron expression of the weekly run")
	fs.StringVar(&s.timezone, "timezone", "UTC", "IANA time zone the cron expression is read in, e.g. Europe/London")
	fs.DurationVar(&s.catchup, "catchup-window", 24*time.Hour, "how late a missed run (server down) may still start")
	fs.DurationVar(&s.jitter, "jitter", 0, "random delay up to this long after the scheduled time")
}

func (s *specFlags) spec() (client.ScheduleSpec, error) {
	if _, err := time.LoadLocation(s.timezone); err != nil {
		return client.ScheduleSpec{}, fmt.Errorf("--timezone %q: %w", s.timezone, err)
	}
	if len(strings.Fields(s.cron)) != 5 {
		return client.ScheduleSpec{}, fmt.Errorf("--cron %q: want five fields (minute hour day-of-month month day-of-week), e.g. \"0 9 * * MON\"", s.cron)
	}
	return client.ScheduleSpec{CronExpressions: []string{s.cron}, TimeZoneName: s.timezone, Jitter: s.jitter}, nil
}

// scheduledAction is the workflow a schedule starts: no edition in the
// input, so each run derives it from its scheduled time.
func scheduledAction(in workflows.Input, taskQueue, id string) *client.ScheduleWorkflowAction {
	in.Edition = ""
	return &client.ScheduleWorkflowAction{
		ID:        id,
		Workflow:  workflows.WorkflowName,
		Args:      []any{in},
		TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.StatusKey.ValueSet(workflows.StageStarting)),
	}
}

func scheduleCreate(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "schedule create", "Create the weekly schedule: overlap policy Skip (a week never runs twice at once), an explicit\ncatch-up window, optional jitter, and the same workflow input as 'start'.",
		`starter schedule create --cron "0 9 * * MON" --timezone Europe/London --source markdown:examples/living-document.md --approvers ana@example.com`)
	id := fs.String("id", DefaultScheduleID, "schedule ID")
	var sf specFlags
	sf.register(fs)
	var in inputFlags
	in.register(e, fs)
	taskQueue := fs.String("task-queue", e.get("TASK_QUEUE", workflows.TaskQueue), "task queue (TASK_QUEUE)")
	paused := fs.Bool("paused", false, "create it paused")
	if err := fs.Parse(args); err != nil {
		return err
	}
	spec, err := sf.spec()
	if err != nil {
		return err
	}
	input, err := in.input(e, "")
	if err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            *id,
		Spec:          spec,
		Action:        scheduledAction(input, *taskQueue, *id),
		Overlap:       enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: sf.catchup,
		Paused:        *paused,
		Note:          "weekly newsletter edition",
	})
	if err != nil {
		return fmt.Errorf("create schedule %s: %w", *id, err)
	}
	fmt.Fprintf(e.Stdout, "created schedule %s: %q in %s, overlap skip, catch-up window %s\n", *id, sf.cron, sf.timezone, sf.catchup)
	return nil
}

func scheduleUpdate(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "schedule update", "Change the schedule's timing or workflow input; flags not given keep their current value.",
		`starter schedule update --cron "30 8 * * MON" --approvers ana@example.com,bo@example.com`)
	id := fs.String("id", DefaultScheduleID, "schedule ID")
	var sf specFlags
	sf.register(fs)
	var in inputFlags
	in.register(e, fs)
	taskQueue := fs.String("task-queue", e.get("TASK_QUEUE", workflows.TaskQueue), "task queue (TASK_QUEUE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	err = c.ScheduleClient().GetHandle(ctx, *id).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(u client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := u.Description.Schedule
			if err := applySpec(s.Spec, &sf, set); err != nil {
				return nil, err
			}
			if set["catchup-window"] {
				s.Policy.CatchupWindow = sf.catchup
			}
			act, ok := s.Action.(*client.ScheduleWorkflowAction)
			if !ok {
				return nil, fmt.Errorf("schedule %s does not start a workflow", *id)
			}
			merged, err := mergeInput(act, &in, set)
			if err != nil {
				return nil, err
			}
			if set["task-queue"] {
				act.TaskQueue = *taskQueue
			}
			s.Action = scheduledAction(merged, act.TaskQueue, act.ID)
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", *id, err)
	}
	fmt.Fprintf(e.Stdout, "updated schedule %s\n", *id)
	return nil
}

func applySpec(spec *client.ScheduleSpec, sf *specFlags, set map[string]bool) error {
	if set["timezone"] {
		if _, err := time.LoadLocation(sf.timezone); err != nil {
			return fmt.Errorf("--timezone %q: %w", sf.timezone, err)
		}
		spec.TimeZoneName = sf.timezone
	}
	if set["cron"] {
		full, err := sf.spec()
		if err != nil {
			return err
		}
		spec.CronExpressions = full.CronExpressions
		spec.Calendars = nil
	}
	if set["jitter"] {
		spec.Jitter = sf.jitter
	}
	return nil
}

// mergeInput overlays the flags that were given on the schedule's current
// workflow input.
func mergeInput(act *client.ScheduleWorkflowAction, f *inputFlags, set map[string]bool) (workflows.Input, error) {
	var cur workflows.Input
	if len(act.Args) > 0 {
		if err := decodeArg(act.Args[0], &cur); err != nil {
			return cur, fmt.Errorf("read the schedule's workflow input: %w", err)
		}
	}
	if set["source"] {
		cur.Source = f.source
	}
	if set["audience"] {
		cur.Audience = f.audience
	}
	if set["channels"] {
		cur.Channels = f.channels
	}
	if set["approvers"] {
		cur.Approvers = f.approvers
	}
	if set["required-approvals"] {
		cur.RequiredApprovals = f.required
	}
	if set["timeout"] {
		cur.ApprovalTimeout = workflows.Duration(f.timeout)
	}
	if set["dry-run"] {
		cur.DryRun = f.dryRun
	}
	if set["force"] {
		cur.Force = f.force
	}
	if set["send-at"] {
		cur.SendAt = f.sendAt
	}
	if set["window"] {
		cur.Window = f.window
	}
	if set["tz-windows"] {
		cur.TZWindows = f.tzWindows
	}
	return cur, checkSendAt(cur.SendAt, cur.Window, cur.TZWindows)
}

// decodeArg reads a schedule action argument, which the client returns as
// an encoded payload, into v.
func decodeArg(arg any, v any) error {
	if p, ok := arg.(interface{ Get(valuePtr any) error }); ok {
		return p.Get(v)
	}
	b, err := json.Marshal(arg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func scheduleHandle(ctx context.Context, e *Env, name, summary, example string, args []string, extra func(*flag.FlagSet)) (client.Client, client.ScheduleHandle, error) {
	fs := flags(e, "schedule "+name, summary, example)
	id := fs.String("id", DefaultScheduleID, "schedule ID")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, c.ScheduleClient().GetHandle(ctx, *id), nil
}

func scheduleDescribe(ctx context.Context, e *Env, args []string) error {
	c, h, err := scheduleHandle(ctx, e, "describe", "Show the schedule: timing, policies, next runs and recent actions.", "starter schedule describe", args, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	d, err := h.Describe(ctx)
	if err != nil {
		return fmt.Errorf("describe schedule %s: %w", h.GetID(), err)
	}
	s := d.Schedule
	fmt.Fprintf(e.Stdout, "schedule %s  paused %v\n", h.GetID(), s.State.Paused)
	if s.Spec != nil {
		fmt.Fprintf(e.Stdout, "cron %v  time zone %s  jitter %s\n", s.Spec.CronExpressions, s.Spec.TimeZoneName, s.Spec.Jitter)
	}
	fmt.Fprintf(e.Stdout, "overlap %s  catch-up window %s\n", s.Policy.Overlap, s.Policy.CatchupWindow)
	for _, t := range d.Info.NextActionTimes {
		fmt.Fprintf(e.Stdout, "next run %s\n", t.Format(time.RFC3339))
	}
	for _, a := range d.Info.RecentActions {
		fmt.Fprintf(e.Stdout, "ran %s (scheduled %s): %s\n", a.ActualTime.Format(time.RFC3339), a.ScheduleTime.Format(time.RFC3339), a.StartWorkflowResult.WorkflowID)
	}
	return nil
}

func scheduleList(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "schedule list", "List schedules.", "starter schedule list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return fmt.Errorf("list schedules: %w", err)
	}
	for it.HasNext() {
		s, err := it.Next()
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		fmt.Fprintf(e.Stdout, "%s  paused %v\n", s.ID, s.Paused)
	}
	return nil
}

func schedulePause(ctx context.Context, e *Env, args []string) error {
	var note string
	c, h, err := scheduleHandle(ctx, e, "pause", "Pause the schedule: no new runs start until unpaused.", `starter schedule pause --note "holiday week"`, args,
		func(fs *flag.FlagSet) { fs.StringVar(&note, "note", "paused from starter", "why") })
	if err != nil {
		return err
	}
	defer c.Close()
	if err := h.Pause(ctx, client.SchedulePauseOptions{Note: note}); err != nil {
		return fmt.Errorf("pause schedule %s: %w", h.GetID(), err)
	}
	fmt.Fprintf(e.Stdout, "paused schedule %s\n", h.GetID())
	return nil
}

func scheduleUnpause(ctx context.Context, e *Env, args []string) error {
	c, h, err := scheduleHandle(ctx, e, "unpause", "Resume the schedule.", "starter schedule unpause", args, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "unpaused from starter"}); err != nil {
		return fmt.Errorf("unpause schedule %s: %w", h.GetID(), err)
	}
	fmt.Fprintf(e.Stdout, "unpaused schedule %s\n", h.GetID())
	return nil
}

func scheduleTrigger(ctx context.Context, e *Env, args []string) error {
	c, h, err := scheduleHandle(ctx, e, "trigger", "Start a run now, for the current week's edition. A week that already went out is\nnot sent twice: the run finds the document unchanged, and the CRM never sends one edition\ntwice to an address.", "starter schedule trigger", args, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP}); err != nil {
		return fmt.Errorf("trigger schedule %s: %w", h.GetID(), err)
	}
	fmt.Fprintf(e.Stdout, "triggered schedule %s\n", h.GetID())
	return nil
}

func scheduleBackfill(ctx context.Context, e *Env, args []string) error {
	var start, end string
	c, h, err := scheduleHandle(ctx, e, "backfill", "Run the schedule for past times, as if they had just happened; each run gets the edition\nof its own scheduled week.",
		"starter schedule backfill --start 2026-11-01T00:00:00Z --end 2026-11-15T00:00:00Z", args,
		func(fs *flag.FlagSet) {
			fs.StringVar(&start, "start", "", "start of the range, RFC 3339")
			fs.StringVar(&end, "end", "", "end of the range, RFC 3339")
		})
	if err != nil {
		return err
	}
	defer c.Close()
	from, err1 := time.Parse(time.RFC3339, start)
	to, err2 := time.Parse(time.RFC3339, end)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("--start and --end must be RFC 3339 times such as 2026-11-01T00:00:00Z: %w", err)
	}
	if !to.After(from) {
		return fmt.Errorf("--end %s is not after --start %s", end, start)
	}
	err = h.Backfill(ctx, client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{Start: from, End: to, Overlap: enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL}}})
	if err != nil {
		return fmt.Errorf("backfill schedule %s: %w", h.GetID(), err)
	}
	fmt.Fprintf(e.Stdout, "backfilled schedule %s from %s to %s\n", h.GetID(), start, end)
	return nil
}

func scheduleDelete(ctx context.Context, e *Env, args []string) error {
	c, h, err := scheduleHandle(ctx, e, "delete", "Delete the schedule (runs it started are not affected).", "starter schedule delete", args, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := h.Delete(ctx); err != nil {
		return fmt.Errorf("delete schedule %s: %w", h.GetID(), err)
	}
	fmt.Fprintf(e.Stdout, "deleted schedule %s\n", h.GetID())
	return nil
}
