package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/render"
)

// socialVersion guards the posting step, so runs recorded before it
// replay unchanged.
const socialVersion = "social-posting"

// StagePosting is the stage while social posts go out (or wait for their
// scheduled time).
const StagePosting = "posting"

// SocialInput controls posting per network. The drafts themselves come
// from the render; a network the worker has no credentials for stays a
// draft whatever this says.
type SocialInput struct {
	// Networks to post to (mastodon, bluesky, x, linkedin); empty: all.
	Networks []string `json:"networks,omitempty"`
	// Disabled networks keep their drafts.
	Disabled []string `json:"disabled,omitempty"`
	// PostAt holds a network's post until a time: a durable timer.
	PostAt []ScheduledPost `json:"post_at,omitempty"`
}

// ScheduledPost is when a network's post goes out.
type ScheduledPost struct {
	Network string    `json:"network"`
	At      time.Time `json:"at"`
}

// postAt is when network's post is scheduled, if it is.
func (in SocialInput) postAt(network string) (time.Time, bool) {
	for _, p := range in.PostAt {
		if p.Network == network {
			return p.At, true
		}
	}
	return time.Time{}, false
}

// Posting a network's draft: two minutes per attempt (a lookup and a
// post), heartbeating, so a worker that dies mid-request is noticed in 20
// seconds; backing off to ten minutes over about an hour. Bad credentials
// and refused posts stop at once, a rate limit waits for the network's
// reset.
var socialOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	HeartbeatTimeout:    20 * time.Second,
	RetryPolicy:         retry(5*time.Second, 10*time.Minute, 10),
}

func validateSocial(in SocialInput) error {
	names := append(slices.Clone(in.Networks), in.Disabled...)
	for _, p := range in.PostAt {
		if p.At.IsZero() {
			return fmt.Errorf("post_at for %s has no time: give an RFC 3339 time such as 2026-12-01T10:00:00+01:00", p.Network)
		}
		names = append(names, p.Network)
	}
	for _, n := range names {
		if !slices.Contains(render.Platforms(), n) {
			return fmt.Errorf("unknown social network %q: use mastodon, bluesky, x or linkedin", n)
		}
	}
	return nil
}

// postSocial posts each network's draft, linking to the published web
// update, each network on its own: one that fails or waits for its time
// never holds up another. Failures are reported in the result and status;
// they do not fail the run, whose email has gone out already.
func (r *run) postSocial(ctx workflow.Context) {
	if !r.wants(ChannelSocial) {
		return
	}
	if r.status.UpdateURL == "" {
		// Posts link to the live page; without one they stay drafts.
		for _, d := range r.socialDrafts() {
			r.status.Posts = append(r.status.Posts, activitytypes.SocialPost{Network: d.Platform, Status: activitytypes.SocialDraft,
				Note: "no web update to link to: include the web channel to post"})
		}
		return
	}
	if r.version(ctx, socialVersion, 1) == workflow.DefaultVersion {
		return
	}
	r.setStage(ctx, StagePosting)
	wg := workflow.NewWaitGroup(ctx)
	for _, d := range r.socialDrafts() {
		i := len(r.status.Posts)
		r.status.Posts = append(r.status.Posts, activitytypes.SocialPost{Network: d.Platform, Status: activitytypes.SocialDraft})
		if post, why := r.posting(d); !post {
			r.status.Posts[i].Status, r.status.Posts[i].Note = activitytypes.SocialDisabled, why
			continue
		}
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			r.status.Posts[i] = r.postOne(ctx, i, d)
		})
	}
	wg.Wait(ctx)
}

// postOne posts draft d, the run's i-th post, when its time has come.
func (r *run) postOne(ctx workflow.Context, i int, d render.SocialDraft) activitytypes.SocialPost {
	if at, ok := r.in.Social.postAt(d.Platform); ok {
		if wait := at.Sub(workflow.Now(ctx)); wait > 0 {
			r.status.Posts[i] = activitytypes.SocialPost{Network: d.Platform, Status: activitytypes.SocialPending, At: at}
			if err := workflow.Sleep(ctx, wait); err != nil {
				return activitytypes.SocialPost{Network: d.Platform, Status: activitytypes.SocialFailed, Error: err.Error()}
			}
		}
	}
	title, summary := r.preview.Output.Web.Title, r.preview.Output.Web.Summary
	if r.rendered != nil {
		title, summary = r.rendered.Title, r.rendered.Summary
	}
	in := activitytypes.SocialPostInput{WorkflowID: r.id, Edition: r.in.Edition, Network: d.Platform, Text: d.Text,
		Link: r.status.UpdateURL, Title: title, Summary: summary, Image: d.Image, ImageAlt: d.ImageAlt}
	var out activitytypes.SocialPost
	if err := activitytypes.PostSocial.Execute(withOptions(ctx, socialOptions), in).Get(ctx, &out); err != nil {
		msg := reason(err)
		workflow.GetLogger(ctx).Warn("social post failed", "network", d.Platform, "err", msg)
		r.status.Warnings = append(r.status.Warnings, "post to "+d.Platform+" failed: "+msg)
		return activitytypes.SocialPost{Network: d.Platform, Status: activitytypes.SocialFailed, Error: msg}
	}
	return out
}

// socialDrafts are the rendered edition's social drafts, from the
// artifact store's summary for runs that keep renders there.
func (r *run) socialDrafts() []render.SocialDraft {
	if r.rendered != nil {
		return r.rendered.Social
	}
	return r.preview.Output.Social
}
