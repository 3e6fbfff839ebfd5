package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/sources"
)

// Names of the document watcher, shared by the worker, the starter, the
// push endpoint and operators' CLI calls.
const (
	WatcherWorkflowName = "DocumentWatcherWorkflow"
	// WatchIDPrefix + the source reference is a watcher's workflow ID:
	// one watcher per document, e.g. watch-notion:940fd74a-8b7d-44ad-b517-2009b87b2277.
	WatchIDPrefix = "watch-"
	// SignalWatchCheck carries WatchPoke: check the document now (a push
	// notification said it changed).
	SignalWatchCheck = "check"
	// SignalWatchPause and SignalWatchResume carry WatchPause: stop and
	// restart checking.
	SignalWatchPause  = "pause"
	SignalWatchResume = "resume"
	// QueryWatchStatus returns WatchStatus.
	QueryWatchStatus = "status"

	// Memo keys of a watcher, which 'starter watch list' shows without
	// asking the worker.
	MemoWatchSource = "source"
	MemoWatchEvery  = "every"
	MemoWatchQuiet  = "quiet"
	MemoWatchPaused = "paused"
)

// Watcher defaults.
const (
	DefaultWatchEvery = 15 * time.Minute
	DefaultWatchQuiet = 30 * time.Minute
	// DefaultChecksPerRun bounds one run's history: about 11 events a
	// check, so a run stays near a thousand events before it continues as
	// new (about a day at the default interval).
	DefaultChecksPerRun = 100
	// maxWatchTriggers is how many past triggers the status keeps.
	maxWatchTriggers = 10
	// WatchBy is who the refresh signal says it comes from.
	WatchBy = "watcher"
)

// WatchID returns the workflow ID of the watcher of source ("kind:id").
func WatchID(source string) string { return WatchIDPrefix + strings.TrimSpace(source) }

// WatchInput starts a DocumentWatcherWorkflow. Fields may be added; none
// removed. Nothing secret belongs here.
type WatchInput struct {
	// Source is the living document: "markdown:…", "gdocs:…", "notion:…".
	Source string `json:"source"`
	// Every is how often the revision is checked (default 15m).
	Every Duration `json:"every,omitempty"`
	// Quiet is how long the document must stay unchanged after an edit
	// before the edition is refreshed (default 30m).
	Quiet Duration `json:"quiet,omitempty"`
	// Run is the input of the runs the watcher starts: approvers,
	// audience, channels… Its source is Source and its edition the
	// current ISO week at the time of the change.
	Run Input `json:"run"`
	// TaskQueue the newsletter runs go to (default: the watcher's own).
	TaskQueue string `json:"task_queue,omitempty"`
	// NoSearchAttributes starts runs without NewsletterStatus and
	// NewsletterEdition, for namespaces where they are not registered.
	NoSearchAttributes bool `json:"no_search_attributes,omitempty"`
	// ChecksPerRun is how many checks one run makes before it continues
	// as new (default DefaultChecksPerRun).
	ChecksPerRun int `json:"checks_per_run,omitempty"`
	// State is carried from the previous run by continue-as-new.
	State *WatchState `json:"state,omitempty"`
}

// WatchState is what a watcher knows about its document.
type WatchState struct {
	// Baseline is the revision the editions already have: the one seen
	// first, or the one the last refresh was made for.
	Baseline string `json:"baseline,omitempty"`
	// Seen is the newest revision seen and ChangedAt when it was first
	// seen; Seen differing from Baseline is a change waiting for its
	// quiet period to pass.
	Seen      string    `json:"seen,omitempty"`
	ChangedAt time.Time `json:"changed_at,omitzero"`
	Paused    bool      `json:"paused,omitempty"`
	PausedBy  string    `json:"paused_by,omitempty"`
	// Poked: a push notification asked for a check the run had no time
	// to make.
	Poked     bool      `json:"poked,omitempty"`
	Checks    int       `json:"checks"`
	Runs      int       `json:"runs"`
	Pokes     int       `json:"pokes,omitempty"`
	LastCheck time.Time `json:"last_check,omitzero"`
	LastError string    `json:"last_error,omitempty"`
	// Triggers are the latest refreshes, newest last.
	Triggers []WatchTrigger `json:"triggers,omitempty"`
}

// WatchTrigger is one refresh of an edition after a change.
type WatchTrigger struct {
	At         time.Time `json:"at"`
	Revision   string    `json:"revision"`
	Edition    string    `json:"edition"`
	WorkflowID string    `json:"workflow_id,omitempty"`
	RunID      string    `json:"run_id,omitempty"`
	// Action is "started", "refreshed" or "closed" (the edition had
	// already run).
	Action string `json:"action"`
	Note   string `json:"note,omitempty"`
}

// WatchStatus answers the status query.
type WatchStatus struct {
	Source string   `json:"source"`
	Every  Duration `json:"every"`
	Quiet  Duration `json:"quiet"`
	WatchState
	// NextCheck is when the document is checked next (zero while paused).
	NextCheck time.Time `json:"next_check,omitzero"`
	// RefreshAt is when a pending change refreshes the edition if the
	// document stays unchanged until then.
	RefreshAt time.Time `json:"refresh_at,omitzero"`
}

// WatchPoke is the payload of the check signal (it may be empty).
type WatchPoke struct {
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// WatchPause is the payload of the pause and resume signals (it may be
// empty).
type WatchPause struct {
	By   string `json:"by,omitempty"`
	Note string `json:"note,omitempty"`
}

// watcher is one DocumentWatcherWorkflow run.
type watcher struct {
	in       WatchInput
	st       WatchState
	handlers map[string]func(workflow.Context, converter.RawValue)
}

// DocumentWatcherWorkflow checks a living document's revision every
// in.Every on a durable timer. When the document changed and then stayed
// unchanged for in.Quiet, it refreshes the current edition's run, starting
// it if there is none (Signal-With-Start of the refresh signal). It runs
// until terminated, continuing as new every ChecksPerRun checks so its
// history stays bounded.
func DocumentWatcherWorkflow(ctx workflow.Context, in WatchInput) (WatchStatus, error) {
	in, err := normalizeWatch(ctx, in)
	if err != nil {
		return WatchStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidInput", nil)
	}
	w := &watcher{in: in}
	if in.State != nil {
		w.st = *in.State
	}
	w.st.Runs++
	w.in.State = nil
	if err := w.registerHandlers(ctx); err != nil {
		return WatchStatus{}, err
	}
	for checks := 0; ; {
		if checks >= in.ChecksPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			w.drainSignals(ctx)
			next := w.in
			st := w.st
			next.State = &st
			return WatchStatus{}, workflow.NewContinueAsNewError(ctx, WatcherWorkflowName, next)
		}
		if w.st.Paused {
			if err := workflow.Await(ctx, func() bool { return !w.st.Paused }); err != nil {
				return w.status(ctx), err
			}
			continue
		}
		if wait := w.wait(ctx); wait > 0 && !w.st.Poked {
			_, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return w.st.Poked || w.st.Paused })
			if err != nil {
				return w.status(ctx), err
			}
			if w.st.Paused {
				continue
			}
		}
		w.st.Poked = false
		w.check(ctx)
		checks++
	}
}

func normalizeWatch(ctx workflow.Context, in WatchInput) (WatchInput, error) {
	// Parsing a reference is a pure function of its text; workflowcheck
	// cannot see that through the language-tag tables it consults.
	//workflowcheck:ignore
	ref, err := sources.ParseRef(in.Source)
	if err != nil {
		return in, err
	}
	in.Source = ref.String()
	if in.Every < 0 || in.Quiet < 0 {
		return in, fmt.Errorf("every %s and quiet %s must not be negative", in.Every.Std(), in.Quiet.Std())
	}
	if in.Every == 0 {
		in.Every = Duration(DefaultWatchEvery)
	}
	if in.Quiet == 0 {
		in.Quiet = Duration(DefaultWatchQuiet)
	}
	if in.ChecksPerRun <= 0 {
		in.ChecksPerRun = DefaultChecksPerRun
	}
	if in.TaskQueue == "" {
		in.TaskQueue = workflow.GetInfo(ctx).TaskQueueName
	}
	in.Run.Source = in.Source
	in.Run.Edition = ""
	if len(in.Run.Approvers) == 0 {
		return in, errors.New("run has no approvers: the runs the watcher starts need at least one address whose approval counts")
	}
	return in, nil
}

// watchSignals are the watcher's signals, in the order they are drained.
var watchSignals = []string{SignalWatchCheck, SignalWatchPause, SignalWatchResume}

func (w *watcher) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryWatchStatus, func() (WatchStatus, error) { return w.status(ctx), nil }); err != nil {
		return err
	}
	w.handlers = w.signalHandlers()
	for _, name := range watchSignals {
		listen(ctx, name, w.handlers[name])
	}
	return nil
}

// drainSignals handles signals received but not yet handled, so none is
// lost when the run continues as new.
func (w *watcher) drainSignals(ctx workflow.Context) {
	for _, name := range watchSignals {
		ch := workflow.GetSignalChannel(ctx, name)
		for {
			var raw converter.RawValue
			if !ch.ReceiveAsync(&raw) {
				break
			}
			w.handlers[name](ctx, raw)
		}
	}
}

func (w *watcher) signalHandlers() map[string]func(workflow.Context, converter.RawValue) {
	h := map[string]func(workflow.Context, converter.RawValue){}
	h[SignalWatchCheck] = func(ctx workflow.Context, raw converter.RawValue) {
		var p WatchPoke
		decodeOptional(raw, &p)
		w.st.Pokes++
		if !w.st.Paused {
			w.st.Poked = true
		}
		workflow.GetLogger(ctx).Info("check requested", "by", p.By, "reason", p.Reason, "paused", w.st.Paused)
	}
	h[SignalWatchPause] = func(ctx workflow.Context, raw converter.RawValue) {
		var p WatchPause
		decodeOptional(raw, &p)
		if !w.st.Paused {
			w.st.Paused, w.st.PausedBy, w.st.Poked = true, p.By, false
			w.upsertPaused(ctx)
		}
	}
	h[SignalWatchResume] = func(ctx workflow.Context, raw converter.RawValue) {
		var p WatchPause
		decodeOptional(raw, &p)
		if w.st.Paused {
			w.st.Paused, w.st.PausedBy = false, ""
			w.upsertPaused(ctx)
		}
	}
	return h
}

// decodeOptional reads a payload that may be empty or malformed; either
// way the signal still counts.
func decodeOptional(raw converter.RawValue, into any) {
	if p := raw.Payload(); p != nil && len(p.GetData()) > 0 {
		_ = converter.GetDefaultDataConverter().FromPayload(p, into)
	}
}

func (w *watcher) upsertPaused(ctx workflow.Context) {
	if err := workflow.UpsertMemo(ctx, map[string]any{MemoWatchPaused: w.st.Paused}); err != nil {
		workflow.GetLogger(ctx).Warn("upsert memo", "err", err)
	}
}

// pending reports whether a change waits for its quiet period.
func (w *watcher) pending() bool { return w.st.Seen != w.st.Baseline }

// nextCheck is when the document is due for a check: every interval, and
// at the end of a pending change's quiet period.
func (w *watcher) nextCheck(ctx workflow.Context) time.Time {
	if w.st.LastCheck.IsZero() {
		return workflow.Now(ctx)
	}
	next := w.st.LastCheck.Add(w.in.Every.Std())
	if w.pending() {
		if due := w.st.ChangedAt.Add(w.in.Quiet.Std()); due.Before(next) {
			next = due
		}
	}
	return next
}

func (w *watcher) wait(ctx workflow.Context) time.Duration {
	return w.nextCheck(ctx).Sub(workflow.Now(ctx))
}

func (w *watcher) status(ctx workflow.Context) WatchStatus {
	s := WatchStatus{Source: w.in.Source, Every: w.in.Every, Quiet: w.in.Quiet, WatchState: w.st}
	s.Triggers = append([]WatchTrigger(nil), w.st.Triggers...)
	if !w.st.Paused {
		s.NextCheck = w.nextCheck(ctx).UTC()
	}
	if w.pending() {
		s.RefreshAt = w.st.ChangedAt.Add(w.in.Quiet.Std()).UTC()
	}
	return s
}

var checkOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy:         retry(2*time.Second, 30*time.Second, 3),
}

var refreshOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy:         retry(time.Second, 30*time.Second, 5),
}

// check reads the document's revision and refreshes the edition when a
// change has been quiet long enough. A failed check is recorded and the
// next one tried on time: the editor may fix a sharing setting, and a
// watcher that failed would watch nothing.
func (w *watcher) check(ctx workflow.Context) {
	var res activitytypes.RevisionResult
	err := activitytypes.CheckRevision.Execute(withOptions(ctx, checkOptions), activitytypes.RevisionInput{Source: w.in.Source}).Get(ctx, &res)
	now := workflow.Now(ctx).UTC()
	w.st.LastCheck = now
	w.st.Checks++
	if err != nil {
		w.st.LastError = "check revision: " + reason(err)
		workflow.GetLogger(ctx).Warn("check revision failed", "source", w.in.Source, "err", w.st.LastError)
		return
	}
	w.st.LastError = ""
	switch {
	case w.st.Baseline == "" && w.st.Seen == "":
		// The document as the watcher found it is what editions have.
		w.st.Baseline, w.st.Seen = res.Revision, res.Revision
		return
	case res.Revision != w.st.Seen:
		// An edit, or another edit: the quiet period starts again.
		w.st.Seen, w.st.ChangedAt = res.Revision, now
	}
	if w.pending() && !now.Before(w.st.ChangedAt.Add(w.in.Quiet.Std())) {
		w.refresh(ctx, now)
	}
}

// refresh starts or refreshes the current edition's run for the revision
// seen.
func (w *watcher) refresh(ctx workflow.Context, now time.Time) {
	ed := edition.ForTime(now)
	run := w.in.Run
	run.Edition = ed
	in := activitytypes.RefreshEditionInput{
		Edition: ed, WorkflowID: WorkflowID(ed), WorkflowType: WorkflowName, TaskQueue: w.in.TaskQueue,
		Args: run, Signal: SignalRefresh, SignalArg: RefreshSignal{By: WatchBy},
	}
	if !w.in.NoSearchAttributes {
		in.SearchAttributes = map[string]string{SearchAttrStatus: StageStarting, SearchAttrEdition: ed}
		in.EditionAttribute = SearchAttrEdition
	}
	var res activitytypes.RefreshEditionResult
	err := activitytypes.RefreshEdition.Execute(withOptions(ctx, refreshOptions), in).Get(ctx, &res)
	t := WatchTrigger{At: now, Revision: w.st.Seen, Edition: ed, WorkflowID: res.WorkflowID, RunID: res.RunID, Action: res.Action}
	if err != nil {
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != activitytypes.ErrTypeEditionClosed {
			// Tried again at the next check: the change is still pending.
			w.st.LastError = "refresh edition " + ed + ": " + reason(err)
			return
		}
		t.Action, t.WorkflowID, t.Note = "closed", WorkflowID(ed), reason(err)
	}
	w.st.Baseline = w.st.Seen
	w.st.Triggers = append(w.st.Triggers, t)
	if n := len(w.st.Triggers); n > maxWatchTriggers {
		w.st.Triggers = append([]WatchTrigger(nil), w.st.Triggers[n-maxWatchTriggers:]...)
	}
	workflow.GetLogger(ctx).Info("document changed; edition refreshed", "source", w.in.Source, "edition", ed, "action", t.Action, "revision", w.st.Seen)
}
