package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/sendtime"
)

// versionTZWindows marks runs that send by time-zone groups when their
// input asks for it. A run whose history predates it sends all at once,
// as it did.
const versionTZWindows = "tz-windows"

// States of a time-zone group, as SendGroupStatus.State shows them.
const (
	GroupWaiting   = "waiting"
	GroupSending   = "sending"
	GroupPaused    = "paused"
	GroupSent      = "sent"
	GroupCancelled = "cancelled"
)

// SendGroupStatus is one time-zone group of a send, in the status.
type SendGroupStatus struct {
	// Timezones are the recipients' timezone values sent together; ""
	// stands for recipients without one.
	Timezones []string  `json:"timezones"`
	At        time.Time `json:"at"`
	// Local is the wall-clock send time in the group's zones ("09:00").
	Local      string `json:"local"`
	Recipients int    `json:"recipients"`
	// Default: the edition's own send time, for recipients without a
	// valid time zone.
	Default bool   `json:"default,omitempty"`
	State   string `json:"state"`
	Sent    int    `json:"sent"`
	// Summary reads "Europe/London 09:00 sent 120" or
	// "America/New_York at 14:00 UTC waiting".
	Summary string `json:"summary"`
}

// tzState is a send by time zone: its groups in order, each one's
// progress, and the group now going.
type tzState struct {
	on       bool
	local    string
	groups   []activitytypes.SendGroup
	progress []activitytypes.SendProgress
	current  int
}

// tzGroupOptions: counting recipients by time zone is one query.
var tzGroupOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy:         retry(time.Second, time.Minute, 10),
}

// setupTZWindows checks a run that asks for time-zone windows and lists
// its groups at once, so a CRM that cannot send by time zone fails the run
// before anyone approves it.
func (r *run) setupTZWindows(ctx workflow.Context) error {
	if !r.in.TZWindows {
		return nil
	}
	if strings.TrimSpace(r.in.SendAt) == "" {
		return temporal.NewNonRetryableApplicationError("tz_windows needs send_at: recipients get the send time's wall clock in their own zone, so give one (--send-at \"Monday 09:00 Europe/London\")", "InvalidInput", nil)
	}
	if !r.wants(ChannelEmail) || workflow.GetVersion(ctx, versionTZWindows, workflow.DefaultVersion, 1) != 1 {
		return nil
	}
	r.tz.on = true
	_, err := r.planTZGroups(ctx, r.dl.due)
	return err
}

// planTZGroups lists the time-zone groups of a send at the instant at and
// returns when the first one goes. Each zone's instant is the send time's
// wall clock in that zone: the clock of at, or of the edition's send time
// when at is a late approval sending at once.
func (r *run) planTZGroups(ctx workflow.Context, at time.Time) (time.Time, error) {
	now := workflow.Now(ctx)
	wall := at
	if !at.After(now) && !r.dl.due.IsZero() {
		wall = r.dl.due
	}
	var local string
	if err := workflow.SideEffect(ctx, func(workflow.Context) any {
		spec, err := sendtime.Parse(r.in.SendAt)
		if err != nil {
			return wall.UTC().Format(activitytypes.LocalClock)
		}
		return spec.In(wall).Format(activitytypes.LocalClock)
	}).Get(&local); err != nil {
		return at, err
	}
	in := activitytypes.SendGroupsInput{NewsletterID: r.id, Audience: r.in.Audience, Local: local, At: at}
	var res activitytypes.SendGroupsResult
	if err := activitytypes.ListSendGroups.Execute(withOptions(ctx, tzGroupOptions), in).Get(ctx, &res); err != nil {
		return at, stepError("list the recipients' time zones", err)
	}
	r.tz.local, r.tz.groups, r.tz.current = local, res.Groups, 0
	r.tz.progress = make([]activitytypes.SendProgress, len(res.Groups))
	d := r.status.Delivery
	d.NoTimezone, d.InvalidTimezones = res.NoTimezone, res.Invalid
	if len(res.Invalid) > 0 {
		n := 0
		for _, c := range res.Invalid {
			n += c.Count
		}
		r.status.Warnings = append(r.status.Warnings, fmt.Sprintf("%d recipients have a timezone that is no IANA time zone (such as %q); they go at the edition's own send time", n, res.Invalid[0].Timezone))
	}
	r.progressed()
	if len(res.Groups) > 0 && res.Groups[0].At.Before(at) {
		return res.Groups[0].At, nil
	}
	return at, nil
}

// sendGroups sends each time-zone group at its instant, on a durable
// timer, one send activity per group. Pause, resume and cancel apply to
// the group going or waiting. It reports whether the send was cancelled.
func (r *run) sendGroups(ctx workflow.Context, in activitytypes.SendInput) (bool, error) {
	d := r.status.Delivery
	for i, g := range r.tz.groups {
		r.tz.current = i
		if wait := g.At.Sub(workflow.Now(ctx)); wait > 0 && !r.dl.cancelReq {
			d.State, d.SendingAt = SendScheduled, g.At
			d.Summary = fmt.Sprintf("sending by time zone: %d of %d groups sent, next %s", i, len(r.tz.groups), r.groupSummary(i))
			if r.dl.pause {
				d.Summary += "; paused: held until resumed"
			}
			r.setStage(ctx, StageScheduled)
			r.progressed()
			if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.dl.cancelReq }); err != nil {
				return false, err
			}
		}
		if r.dl.cancelReq {
			break
		}
		gin := in
		gin.Timezones = g.Timezones
		cancelled, err := r.sendControlled(ctx, gin, &r.tz.progress[i])
		if err != nil {
			return false, err
		}
		if cancelled {
			break
		}
	}
	r.tz.current = len(r.tz.groups)
	if r.dl.cancelReq {
		r.finishCancelledGroups(ctx, in)
		return true, nil
	}
	r.progressed()
	r.status.Send.Done = true
	d.State = SendSent
	d.Summary = fmt.Sprintf("sent by time zone in %d groups: %d recipients", len(r.tz.groups), r.sentSoFar())
	return false, nil
}

// finishCancelledGroups reports a cancelled send by time zone: who the
// unfinished groups did not reach.
func (r *run) finishCancelledGroups(ctx workflow.Context, in activitytypes.SendInput) {
	d := r.status.Delivery
	d.State = SendCancelled
	rin := activitytypes.UnsentInput{NewsletterID: in.NewsletterID, Edition: r.in.Edition, Audience: in.Audience, Groups: []activitytypes.UnsentGroup{}}
	for i, g := range r.tz.groups {
		if p := r.tz.progress[i]; !p.Done {
			rin.Groups = append(rin.Groups, activitytypes.UnsentGroup{Timezones: g.Timezones, Cursor: p.Cursor, Started: p.Pages > 0})
		}
	}
	r.progressed()
	var rep activitytypes.UnsentReport
	if err := activitytypes.ReportUnsent.Execute(withOptions(ctx, reportOptions), rin).Get(ctx, &rep); err != nil {
		r.status.Errors = append(r.status.Errors, "list of recipients not sent unavailable: "+reason(err))
	} else {
		d.Unsent = &rep
	}
	sent := r.status.Send.Accepted + r.status.Send.Duplicate
	d.Summary = fmt.Sprintf("cancelled: %d sent, %d not sent", sent, d.unsentCount())
}

// progressed brings the status of a send by time zone up to date: the
// whole send's counts and each group's state.
func (r *run) progressed() {
	if !r.tz.on {
		return
	}
	var sum activitytypes.SendProgress
	groups := make([]SendGroupStatus, len(r.tz.groups))
	for i, g := range r.tz.groups {
		p := r.tz.progress[i]
		sum.Pages += p.Pages
		sum.Total += g.Recipients
		sum.Accepted += p.Accepted
		sum.Duplicate += p.Duplicate
		sum.Rejected += p.Rejected
		for _, rej := range p.Reasons {
			if len(sum.Reasons) < 20 {
				sum.Reasons = append(sum.Reasons, rej)
			}
		}
		sum.ContentMode, sum.ContentDigest = max(sum.ContentMode, p.ContentMode), max(sum.ContentDigest, p.ContentDigest)
		groups[i] = SendGroupStatus{Timezones: g.Timezones, At: g.At, Local: r.localClock(), Recipients: g.Recipients,
			Default: g.Default, State: r.groupState(i), Sent: p.Accepted + p.Duplicate + p.Rejected}
	}
	r.status.Send = sum
	if d := r.status.Delivery; d != nil {
		d.Groups = groups
		for i := range groups {
			groups[i].Summary = r.groupSummary(i)
		}
	}
}

func (r *run) groupState(i int) string {
	p := r.tz.progress[i]
	st := r.status.Delivery.State
	switch {
	case p.Done:
		return GroupSent
	case st == SendCancelled:
		return GroupCancelled
	case i > r.tz.current || (i == r.tz.current && st != SendSending && st != SendPaused):
		return GroupWaiting
	case i == r.tz.current && st == SendPaused:
		return GroupPaused
	case i == r.tz.current:
		return GroupSending
	}
	return GroupCancelled
}

// localClock is the wall-clock send time, "09:00".
func (r *run) localClock() string {
	t, err := time.Parse(activitytypes.LocalClock, r.tz.local)
	if err != nil {
		return r.tz.local
	}
	return t.Format("15:04")
}

// groupSummary reads "Europe/London 09:00 sent 120" or
// "America/New_York at 14:00 UTC waiting".
func (r *run) groupSummary(i int) string {
	g, p := r.tz.groups[i], r.tz.progress[i]
	name := zoneNames(g.Timezones)
	sent := p.Accepted + p.Duplicate + p.Rejected
	switch r.groupState(i) {
	case GroupSent:
		return fmt.Sprintf("%s %s sent %d", name, r.localClock(), sent)
	case GroupSending:
		return fmt.Sprintf("%s %s sending, %d of %d", name, r.localClock(), sent, g.Recipients)
	case GroupPaused:
		return fmt.Sprintf("%s %s paused after %d of %d", name, r.localClock(), sent, g.Recipients)
	case GroupCancelled:
		return fmt.Sprintf("%s %s cancelled, %d of %d sent", name, r.localClock(), sent, g.Recipients)
	}
	return fmt.Sprintf("%s at %s UTC waiting", name, g.At.UTC().Format("2006-01-02 15:04"))
}

// zoneNames names a group's zones: "Europe/London", "Europe/London and
// 2 more", "no time zone".
func zoneNames(zones []string) string {
	names := make([]string, 0, len(zones))
	none := false
	for _, z := range zones {
		if z == "" {
			none = true
			continue
		}
		names = append(names, z)
	}
	if none {
		names = append(names, "no time zone")
	}
	switch len(names) {
	case 0:
		return "no recipients"
	case 1:
		return names[0]
	}
	return fmt.Sprintf("%s and %d more", names[0], len(names)-1)
}
