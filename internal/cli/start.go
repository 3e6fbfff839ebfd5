package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/sendtime"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/workflows"
)

// inputFlags are the workflow input flags shared by start and schedule.
type inputFlags struct {
	source    string
	lang      string
	audience  list
	channels  list
	approvers list
	required  int
	timeout   time.Duration
	reminders list
	dryRun    bool
	force     bool
	social    list
	noSocial  list
	postAt    postAtList
	sendAt    string
	window    string
	tzWindows bool
	tzEnvErr  error
}

func (f *inputFlags) register(e *Env, fs *flag.FlagSet) {
	fs.StringVar(&f.source, "source", e.get("NEWSLETTER_SOURCE", ""), "living document: markdown:<path-or-url>, gdocs:<document-id> or notion:<page-id> (NEWSLETTER_SOURCE)")
	fs.StringVar(&f.lang, "lang", e.get("NEWSLETTER_LANG", ""), langUsage)
	fs.Var(&f.audience, "audience", "CRM segment to send to; repeat or comma-separate (default: every subscribed contact)")
	fs.Var(&f.channels, "channels", "channels: email, web, social (default: all)")
	fs.Var(&f.approvers, "approvers", "addresses whose approval counts; repeat or comma-separate (NEWSLETTER_APPROVERS)")
	fs.IntVar(&f.required, "required-approvals", 1, "distinct approvers needed")
	fs.DurationVar(&f.timeout, "timeout", workflows.DefaultApprovalTimeout, "how long to wait for a decision before the run ends as timed_out")
	fs.Var(&f.reminders, "reminders", "how long before the deadline undecided approvers are reminded, e.g. 24h,2h (default: half-way and 1h before)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "render and wait for approval, but publish and send nothing")
	fs.BoolVar(&f.force, "force", false, "send even when the document is unchanged since the last edition")
	fs.Var(&f.social, "social", "networks to post to after publishing: mastodon, bluesky, x, linkedin (default: every network the worker has credentials for)")
	fs.Var(&f.noSocial, "no-social", "networks whose post stays a draft; repeat or comma-separate")
	fs.Var(&f.postAt, "post-at", "hold a network's post until a time, e.g. mastodon=2026-12-01T10:00:00+01:00; repeatable")
	fs.StringVar(&f.sendAt, "send-at", "", "send the approved edition at this time: 2026-12-07T09:00:00+01:00, or a weekly slot such as \"Monday 09:00 Europe/London\" (default: at approval)")
	fs.StringVar(&f.window, "window", "", "with --send-at: an approval after the send time waits for the next window, daily or weekly (default: send at once)")
	tzDefault := false
	if v := e.get("NEWSLETTER_TZ_WINDOWS", ""); v != "" {
		tzDefault, f.tzEnvErr = strconv.ParseBool(v)
		if f.tzEnvErr != nil {
			f.tzEnvErr = fmt.Errorf("NEWSLETTER_TZ_WINDOWS=%q: use true or false", v)
		}
	}
	fs.BoolVar(&f.tzWindows, "tz-windows", tzDefault, "with --send-at: recipients with a timezone attribute get the email at the send time's wall clock in their own zone, in time-zone groups (NEWSLETTER_TZ_WINDOWS; needs a CRM that lists recipients by time zone)")
}

const langUsage = "the document's language when it names none, a BCP 47 tag such as pt-BR (NEWSLETTER_LANG); " +
	"Markdown front matter lang and a Notion page's Language property win; the reference keeps it as ;lang=<tag>"

// sourceWithLang checks the source reference and gives it the language
// lang, when set: "gdocs:1AbC…;lang=pt-BR".
func sourceWithLang(source, lang string) (string, error) {
	ref, err := sources.ParseRef(source)
	if err != nil {
		return "", fmt.Errorf("--source: %w", err)
	}
	if strings.TrimSpace(lang) == "" {
		return source, nil
	}
	if ref.Lang, err = sources.LangTag(lang); err != nil {
		return "", fmt.Errorf("--lang: %w", err)
	}
	return ref.String(), nil
}

// checkSendAt refuses a send time, window or time-zone windows the
// workflow would refuse.
func checkSendAt(sendAt, window string, tzWindows bool) error {
	if tzWindows && sendAt == "" {
		return fmt.Errorf("--tz-windows needs --send-at: each time zone gets the send time's wall clock")
	}
	if window != "" && sendAt == "" {
		return fmt.Errorf("--window needs --send-at: the window repeats the send time")
	}
	if err := sendtime.ValidWindow(window); err != nil {
		return fmt.Errorf("--window: %w", err)
	}
	if sendAt == "" {
		return nil
	}
	if _, err := sendtime.Parse(sendAt); err != nil {
		return fmt.Errorf("--send-at: %w", err)
	}
	return nil
}

func (f *inputFlags) input(e *Env, ed string) (workflows.Input, error) {
	if len(f.approvers) == 0 {
		_ = f.approvers.Set(e.get("NEWSLETTER_APPROVERS", ""))
	}
	if f.source == "" {
		return workflows.Input{}, fmt.Errorf("--source is required, e.g. --source markdown:examples/living-document.md")
	}
	if len(f.approvers) == 0 {
		return workflows.Input{}, fmt.Errorf("--approvers is required: name at least one address whose approval counts")
	}
	source, err := sourceWithLang(f.source, f.lang)
	if err != nil {
		return workflows.Input{}, err
	}
	var reminders []workflows.Duration
	for _, r := range f.reminders {
		d, err := time.ParseDuration(r)
		if err != nil || d <= 0 || d >= f.timeout {
			return workflows.Input{}, fmt.Errorf("--reminders %q: give durations before the deadline, shorter than --timeout %s, e.g. 24h,2h", r, f.timeout)
		}
		reminders = append(reminders, workflows.Duration(d))
	}
	for _, n := range append(append(slices.Clone(f.social), f.noSocial...), f.postAtNetworks()...) {
		if !slices.Contains(social.Networks(), n) {
			return workflows.Input{}, fmt.Errorf("unknown social network %q in --social, --no-social or --post-at: use mastodon, bluesky, x or linkedin", n)
		}
	}
	if f.tzEnvErr != nil {
		return workflows.Input{}, f.tzEnvErr
	}
	if err := checkSendAt(f.sendAt, f.window, f.tzWindows); err != nil {
		return workflows.Input{}, err
	}
	return workflows.Input{
		SendAt: f.sendAt, Window: f.window, TZWindows: f.tzWindows,
		Edition: ed, Source: source, Audience: f.audience, Channels: f.channels,
		Approvers: f.approvers, RequiredApprovals: f.required, ApprovalTimeout: workflows.Duration(f.timeout),
		Reminders: reminders, DryRun: f.dryRun, Force: f.force,
		Social: workflows.SocialInput{Networks: f.social, Disabled: f.noSocial, PostAt: f.postAt},
	}, nil
}

func runStart(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "start", "Start the newsletter workflow for an edition (workflow ID newsletter-<edition>).",
		"starter start --edition 2026-W48 --source markdown:examples/living-document.md --approvers ana@example.com")
	var in inputFlags
	in.register(e, fs)
	ed := fs.String("edition", edition.ForTime(time.Now()), "edition name; default the current ISO week")
	taskQueue := fs.String("task-queue", e.get("TASK_QUEUE", workflows.TaskQueue), "task queue (TASK_QUEUE)")
	noSA := fs.Bool("no-search-attributes", false, "start without the NewsletterStatus search attribute (for namespaces where it is not registered)")
	asJSON := fs.Bool("json", false, "print the run as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := edition.Validate(*ed); err != nil {
		return err
	}
	input, err := in.input(e, *ed)
	if err != nil {
		return err
	}
	c, err := e.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	opts := client.StartWorkflowOptions{
		ID:                       workflows.WorkflowID(*ed),
		TaskQueue:                *taskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		// Without it the client hands back the edition's existing run as
		// if it had just started.
		WorkflowExecutionErrorWhenAlreadyStarted: true,
	}
	if !*noSA {
		opts.TypedSearchAttributes = temporal.NewSearchAttributes(
			workflows.StatusKey.ValueSet(workflows.StageStarting), workflows.EditionKey.ValueSet(*ed))
	}
	run, err := c.ExecuteWorkflow(ctx, opts, workflows.WorkflowName, input)
	if err != nil {
		return explainStartError(*ed, err)
	}
	if *asJSON {
		return json.NewEncoder(e.Stdout).Encode(map[string]string{"workflow_id": run.GetID(), "run_id": run.GetRunID()})
	}
	fmt.Fprintf(e.Stdout, "started %s (run %s) from %s; approvers: %s\n", run.GetID(), run.GetRunID(), input.Source, strings.Join(input.Approvers, ", "))
	return nil
}

func explainStartError(ed string, err error) error {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		run := ""
		if started.RunId != "" {
			run = ", run " + started.RunId
		}
		return fmt.Errorf("edition %s already has a run (workflow %s%s), so nothing was started: each edition runs once; "+
			"see it with 'starter status --edition %s', or start another edition with --edition", ed, workflows.WorkflowID(ed), run, ed)
	case strings.Contains(err.Error(), workflows.SearchAttrStatus):
		return fmt.Errorf("%w\nregister the search attributes with:\n  temporal operator search-attribute create --name %s --type Keyword\n  temporal operator search-attribute create --name %s --type Keyword\nor start with --no-search-attributes",
			err, workflows.SearchAttrStatus, workflows.SearchAttrEdition)
	}
	return fmt.Errorf("start edition %s: %w", ed, err)
}
