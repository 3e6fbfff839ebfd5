package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/social"
)

// ImageFetcher downloads a post's image.
type ImageFetcher interface {
	FetchImage(ctx context.Context, url, alt string) (*social.Image, error)
}

// SocialDeleter is a network client that can delete a post.
type SocialDeleter interface {
	Delete(ctx context.Context, id string) error
}

// PostSocial posts an edition's draft to one network, exactly once. A
// network the worker has no credentials for leaves the draft as it is.
func (a *Activities) PostSocial(ctx context.Context, in activitytypes.SocialPostInput) (activitytypes.SocialPost, error) {
	n, ok := a.Social[in.Network]
	if !ok {
		return activitytypes.SocialPost{Network: in.Network, Status: activitytypes.SocialDraft,
			Note: "the worker has no credentials for " + in.Network + ": set " + social.Variables(in.Network)}, nil
	}
	p := social.Post{Text: in.Text, Link: in.Link, Title: in.Title, Description: in.Summary}
	var note string
	if in.Image != "" && a.Images != nil {
		img, err := a.Images.FetchImage(ctx, in.Image, in.ImageAlt)
		if err != nil {
			note = "posted without its image: " + err.Error()
			activity.GetLogger(ctx).Warn("social image", "network", in.Network, "err", err)
		}
		p.Image = img
	}
	key := socialKey(in)
	stop := heartbeatEvery(ctx, socialHeartbeat, key)
	res, found, err := social.Once(ctx, n, attemptJournal{}, key, p)
	stop()
	if err != nil {
		return activitytypes.SocialPost{}, classifySocial(err)
	}
	out := activitytypes.SocialPost{Network: in.Network, Status: activitytypes.SocialPosted, ID: res.ID, URL: res.URL, At: res.At, Note: note}
	if found {
		out.Note = "an earlier attempt had posted it; found by its link"
		activity.GetLogger(ctx).Info("social post found from an earlier attempt", "network", in.Network, "url", res.URL)
	}
	return out, nil
}

// socialKey identifies one post: the run, the network and the text, so an
// edited draft is a new post.
func socialKey(in activitytypes.SocialPostInput) string {
	sum := sha256.Sum256([]byte(in.Text))
	return in.WorkflowID + ":social:" + in.Network + ":" + hex.EncodeToString(sum[:6])
}

// attemptJournal keeps the intent to post in Temporal itself: the server
// records every attempt of the activity before a worker runs it, so an
// attempt after the first (a crash, a timeout, a lost reply) knows an
// earlier one may have posted. The heartbeat notes the intent for
// operators, and keeps a dead worker from holding the attempt long.
type attemptJournal struct{}

func (attemptJournal) Intend(ctx context.Context, key string) (bool, error) {
	earlier := activity.GetInfo(ctx).Attempt > 1 || activity.HasHeartbeatDetails(ctx)
	activity.RecordHeartbeat(ctx, key)
	return earlier, nil
}

// socialHeartbeat is how often a posting attempt reports it is alive; the
// workflow's heartbeat timeout is a few times this, so a worker killed
// mid-request is noticed in seconds and the next attempt looks for the post.
const socialHeartbeat = 5 * time.Second

// DeleteSocialPost deletes a post that went out by mistake.
func (a *Activities) DeleteSocialPost(ctx context.Context, in activitytypes.SocialDeleteInput) error {
	n, ok := a.Social[in.Network]
	if !ok {
		return nonRetryable(activitytypes.ErrTypeSocialCredentials, fmt.Errorf("delete %s post %s: the worker has no credentials for %s: set %s", in.Network, in.ID, in.Network, social.Variables(in.Network)))
	}
	d, ok := n.(SocialDeleter)
	if !ok {
		return nonRetryable(activitytypes.ErrTypeSocialRejected, fmt.Errorf("delete %s post %s: this client cannot delete posts", in.Network, in.ID))
	}
	if err := d.Delete(ctx, in.ID); err != nil {
		return classifySocial(err)
	}
	activity.GetLogger(ctx).Info("social post deleted", "network", in.Network, "id", in.ID, "by", in.By, "reason", in.Reason)
	return nil
}

// classifySocial maps a network's error: bad credentials and refused posts
// stop at once, with the network's message and what to do; a rate limit
// retries when the network allows; anything else retries with backoff.
func classifySocial(err error) error {
	e, ok := social.AsError(err)
	switch {
	case !ok:
		return failure(activitytypes.ErrTypeUnavailable, err, temporal.ApplicationErrorOptions{})
	case e.Kind == social.KindAuth:
		return nonRetryable(activitytypes.ErrTypeSocialCredentials, err)
	case e.Kind == social.KindRejected:
		return nonRetryable(activitytypes.ErrTypeSocialRejected, err)
	case e.Kind == social.KindRateLimited && e.RetryAfter > 0:
		return failure(activitytypes.ErrTypeSocialRateLimited, err, temporal.ApplicationErrorOptions{NextRetryDelay: e.RetryAfter})
	}
	return failure(activitytypes.ErrTypeUnavailable, err, temporal.ApplicationErrorOptions{})
}
