package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/halcytone/contentgen/codec"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/gdocs"
	"github.com/halcytone/contentgen/sources/notion"
	"github.com/halcytone/contentgen/workflows"
)

// minWatchEvery keeps watchers within the sources' rate limits (Notion
// allows about three requests a second per integration).
const minWatchEvery = time.Minute

const watchUsage = `Usage: starter watch create|list|describe|pause|resume|check|delete [flags]

Watch a living document: its revision is checked every --every; once it changed and then
stayed unchanged for --quiet, the current edition's run is refreshed, or started if there is
none. One watcher per document, workflow ID watch-<source>.

Example:
  starter watch create --source notion:940fd74a8b7d44adb5172009b87b2277 --every 15m --quiet 30m \
    --approvers ana@example.com,bo@example.com
  starter watch list
  starter watch pause --source notion:940fd74a8b7d44adb5172009b87b2277`

func runWatch(ctx context.Context, e *Env, args []string) error {
	subs := map[string]func(context.Context, *Env, []string) error{
		"create": watchCreate, "list": watchList, "describe": watchDescribe,
		"pause": watchPause, "resume": watchResume, "check": watchCheck, "delete": watchDelete,
	}
	if len(args) == 0 || subs[args[0]] == nil {
		fmt.Fprintln(e.Stderr, watchUsage)
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			return nil
		}
		return fmt.Errorf("unknown watch command %q", args[0])
	}
	return subs[args[0]](ctx, e, args[1:])
}

// canonicalSource spells a source reference the one way its watcher's
// workflow ID and the push endpoint use: a Docs URL becomes its document
// ID, a Notion page ID gets its dashes. The language, when the reference
// has one, is kept; watchID leaves it out.
func canonicalSource(s string) (string, error) {
	ref, err := sources.ParseRef(s)
	if err != nil {
		return "", err
	}
	switch ref.Kind {
	case sources.KindGDocs:
		ref.ID, err = gdocs.DocumentID(ref.ID)
	case sources.KindNotion:
		ref.ID, err = notion.PageID(ref.ID)
	default:
		ref.ID = strings.TrimSpace(ref.ID)
	}
	if err != nil {
		return "", fmt.Errorf("--source %q: %w", s, err)
	}
	return ref.String(), nil
}

func watchCreate(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "watch create", "Start watching a living document. The document as it is now is the baseline; an edit\nfollowed by --quiet without edits refreshes the current edition's run (Signal-With-Start of\nthe refresh signal), starting it with the flags below when there is none.",
		"starter watch create --source gdocs:1AbC… --every 15m --quiet 30m --approvers ana@example.com")
	var in inputFlags
	in.register(e, fs)
	every := fs.Duration("every", workflows.DefaultWatchEvery, "how often the document's revision is checked (at least 1m)")
	quiet := fs.Duration("quiet", workflows.DefaultWatchQuiet, "how long the document must stay unchanged after an edit before the edition is refreshed")
	taskQueue := fs.String("task-queue", e.get("TASK_QUEUE", workflows.TaskQueue), "task queue of the watcher and the runs it starts (TASK_QUEUE)")
	noSA := fs.Bool("no-search-attributes", false, "start runs without the NewsletterStatus search attribute (for namespaces where it is not registered)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *every < minWatchEvery {
		return fmt.Errorf("--every %s is too often: check at least a minute apart (sources rate-limit), e.g. --every 15m; a push endpoint gets changes to you sooner", *every)
	}
	if *quiet <= 0 {
		return fmt.Errorf("--quiet %s: give how long the document must stay unchanged after an edit, e.g. 30m", *quiet)
	}
	run, err := in.input(e, "")
	if err != nil {
		return err
	}
	src, err := canonicalSource(run.Source)
	if err != nil {
		return err
	}
	win := workflows.WatchInput{Source: src, Every: workflows.Duration(*every), Quiet: workflows.Duration(*quiet),
		Run: run, TaskQueue: *taskQueue, NoSearchAttributes: *noSA}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	id := watchID(src)
	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                *taskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		// Without it the client hands back the running watcher as if new.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		Memo: map[string]any{
			workflows.MemoWatchSource: src, workflows.MemoWatchEvery: every.String(),
			workflows.MemoWatchQuiet: quiet.String(), workflows.MemoWatchPaused: false,
		},
	}, workflows.WatcherWorkflowName, win)
	if err != nil {
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			return fmt.Errorf("%s is already watched (%s): see it with 'starter watch describe --source %s', or delete it first to change its settings", src, id, src)
		}
		return fmt.Errorf("create watcher %s: %w", id, err)
	}
	fmt.Fprintf(e.Stdout, "watching %s (%s): checks every %s, refreshes edition runs after %s without edits; approvers: %s\n",
		src, id, every, quiet, strings.Join(run.Approvers, ", "))
	return nil
}

// watchTarget is the watcher a command acts on: --source, or --id.
func watchTarget(e *Env, name, summary, example string, args []string, extra func(*flag.FlagSet)) (string, error) {
	fs := flags(e, "watch "+name, summary, example)
	source := fs.String("source", "", "the watched document, as given to 'watch create'")
	id := fs.String("id", "", "the watcher's workflow ID, instead of --source")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	switch {
	case *id != "":
		return *id, nil
	case *source == "":
		return "", fmt.Errorf("--source is required (or --id): the document whose watcher to %s; 'starter watch list' shows them", name)
	}
	src, err := canonicalSource(*source)
	if err != nil {
		return "", err
	}
	return watchID(src), nil
}

// watchID is the workflow ID of the watcher of canonical source src: one
// per document, whatever language it is read in, as the push endpoint
// finds it.
func watchID(src string) string {
	ref, err := sources.ParseRef(src)
	if err != nil {
		return workflows.WatchID(src)
	}
	return workflows.WatchID(ref.Document().String())
}

func watchSignal(ctx context.Context, e *Env, id, name string, arg any, done string) error {
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SignalWorkflow(ctx, id, "", name, arg); err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return fmt.Errorf("no watcher %s is running; 'starter watch list' shows the watchers", id)
		}
		return fmt.Errorf("%s %s: %w", name, id, err)
	}
	fmt.Fprintf(e.Stdout, "%s %s\n", done, id)
	return nil
}

func watchPause(ctx context.Context, e *Env, args []string) error {
	var by, note string
	id, err := watchTarget(e, "pause", "Stop checking the document until resumed; a pending change waits.", "starter watch pause --source notion:… --note 'editing all week'", args,
		func(fs *flag.FlagSet) {
			fs.StringVar(&by, "by", e.get("NEWSLETTER_APPROVER", ""), "who pauses it")
			fs.StringVar(&note, "note", "", "why")
		})
	if err != nil {
		return err
	}
	return watchSignal(ctx, e, id, workflows.SignalWatchPause, workflows.WatchPause{By: by, Note: note}, "paused")
}

func watchResume(ctx context.Context, e *Env, args []string) error {
	var by string
	id, err := watchTarget(e, "resume", "Resume checking; a check that fell due while paused runs at once.", "starter watch resume --source notion:…", args,
		func(fs *flag.FlagSet) { fs.StringVar(&by, "by", e.get("NEWSLETTER_APPROVER", ""), "who resumes it") })
	if err != nil {
		return err
	}
	return watchSignal(ctx, e, id, workflows.SignalWatchResume, workflows.WatchPause{By: by}, "resumed")
}

func watchCheck(ctx context.Context, e *Env, args []string) error {
	id, err := watchTarget(e, "check", "Check the document now, as a push notification does. The quiet period still applies.", "starter watch check --source markdown:examples/living-document.md", args, nil)
	if err != nil {
		return err
	}
	return watchSignal(ctx, e, id, workflows.SignalWatchCheck, workflows.WatchPoke{By: "starter", Reason: "check requested"}, "check requested of")
}

func watchDelete(ctx context.Context, e *Env, args []string) error {
	id, err := watchTarget(e, "delete", "Stop watching the document (the edition runs it started are not affected).", "starter watch delete --source notion:…", args, nil)
	if err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.TerminateWorkflow(ctx, id, "", "watch deleted from starter"); err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return fmt.Errorf("no watcher %s is running; 'starter watch list' shows the watchers", id)
		}
		return fmt.Errorf("delete watcher %s: %w", id, err)
	}
	fmt.Fprintf(e.Stdout, "deleted watcher %s\n", id)
	return nil
}

func watchDescribe(ctx context.Context, e *Env, args []string) error {
	id, err := watchTarget(e, "describe", "Show a watcher: revisions seen, a pending change and when it refreshes, the last refreshes.", "starter watch describe --source notion:…", args, nil)
	if err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryWatchStatus)
	if err != nil {
		return fmt.Errorf("describe watcher %s: %w", id, err)
	}
	var st workflows.WatchStatus
	if err := v.Get(&st); err != nil {
		return fmt.Errorf("describe watcher %s: %w", id, err)
	}
	printWatch(e, id, st)
	return nil
}

func printWatch(e *Env, id string, st workflows.WatchStatus) {
	w := e.Stdout
	state := "watching"
	if st.Paused {
		state = "paused"
		if st.PausedBy != "" {
			state += " by " + st.PausedBy
		}
	}
	fmt.Fprintf(w, "%s  %s  %s  every %s  quiet %s\n", id, st.Source, state, st.Every.Std(), st.Quiet.Std())
	fmt.Fprintf(w, "checks %d (run %d), pushes %d, last check %s\n", st.Checks, st.Runs, st.Pokes, stamp(st.LastCheck))
	fmt.Fprintf(w, "revision %s\n", st.Seen)
	if !st.RefreshAt.IsZero() {
		fmt.Fprintf(w, "changed at %s (was %s); refreshes at %s if unchanged until then\n", stamp(st.ChangedAt), st.Baseline, stamp(st.RefreshAt))
	}
	if !st.NextCheck.IsZero() {
		fmt.Fprintf(w, "next check %s\n", stamp(st.NextCheck))
	}
	if st.LastError != "" {
		fmt.Fprintf(w, "error: %s\n", st.LastError)
	}
	for _, t := range st.Triggers {
		fmt.Fprintf(w, "%s  %s %s (%s)", stamp(t.At), t.Action, t.WorkflowID, t.Edition)
		if t.Note != "" {
			fmt.Fprintf(w, ": %s", t.Note)
		}
		fmt.Fprintln(w)
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

func watchList(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "watch list", "List the running watchers, from their memo (no worker needed).", "starter watch list")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dc, err := e.dataConverter()
	if err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	query := fmt.Sprintf("WorkflowType = %q AND ExecutionStatus = 'Running'", workflows.WatcherWorkflowName)
	var token []byte
	n := 0
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return fmt.Errorf("list watchers (%s): %w", query, err)
		}
		for _, ex := range resp.GetExecutions() {
			n++
			memo := map[string]any{}
			for k, p := range ex.GetMemo().GetFields() {
				var v any
				if dc.FromPayload(p, &v) == nil {
					memo[k] = v
				}
			}
			state := "watching"
			if paused, _ := memo[workflows.MemoWatchPaused].(bool); paused {
				state = "paused"
			}
			fmt.Fprintf(e.Stdout, "%s  %v  %s  every %v  quiet %v\n", ex.GetExecution().GetWorkflowId(),
				orDash(memo[workflows.MemoWatchSource]), state, orDash(memo[workflows.MemoWatchEvery]), orDash(memo[workflows.MemoWatchQuiet]))
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	if n == 0 {
		fmt.Fprintln(e.Stdout, "no watchers; start one with 'starter watch create --source …'")
	}
	return nil
}

func orDash(v any) any {
	if v == nil {
		return "-"
	}
	return v
}

// dataConverter reads payloads the way the starter's client writes them.
func (e *Env) dataConverter() (converter.DataConverter, error) {
	spec := e.get("NEWSLETTER_CODEC_KEYS", "")
	if spec == "" {
		return converter.GetDefaultDataConverter(), nil
	}
	keys, err := codec.ParseKeys(spec)
	if err != nil {
		return nil, fmt.Errorf("NEWSLETTER_CODEC_KEYS: %w", err)
	}
	return codec.DataConverter(keys), nil
}
