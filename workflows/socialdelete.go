package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
)

// SocialDeleteWorkflowName deletes one social post by hand. Its history
// is the audit record: who deleted which post of which edition, when and
// why.
const SocialDeleteWorkflowName = "SocialDeleteWorkflow"

// SocialDeleteWorkflowID is the ID of the run deleting network's post of
// an edition, so one post is deleted once.
func SocialDeleteWorkflowID(edition, network string) string {
	return WorkflowIDPrefix + edition + "-delete-" + network
}

// versionDeleteAudit marks deletion runs that also record the deletion
// in the edition's run, while it is open.
const versionDeleteAudit = "social-delete-audit"

// SignalSocialDeleted carries SocialDeleted to an edition's run: a post
// of it was deleted by hand. The run records it in its audit trail and
// marks the post deleted.
const SignalSocialDeleted = "social_deleted"

// ActionDeletePost is the audit trail's entry for a post deleted by hand.
const ActionDeletePost = "delete_post"

// SocialDeleted says which post of an edition was deleted, by whom, when
// and why.
type SocialDeleted struct {
	Network string    `json:"network"`
	ID      string    `json:"id"`
	URL     string    `json:"url,omitempty"`
	By      string    `json:"by"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

// Decision is the deletion as an entry of the edition's audit trail.
func (d SocialDeleted) Decision() Decision {
	note := fmt.Sprintf("deleted the %s post %s", d.Network, d.ID)
	if d.URL != "" {
		note += " (" + d.URL + ")"
	}
	return Decision{Action: ActionDeletePost, By: d.By, Comment: d.Reason, At: d.At, Counted: true, Note: note}
}

// SocialDeleteResult is the deleted post, who deleted it and why.
type SocialDeleteResult struct {
	activitytypes.SocialPost
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Deleted is the result as the edition's SocialDeleted.
func (res SocialDeleteResult) Deleted() SocialDeleted {
	return SocialDeleted{Network: res.Network, ID: res.ID, URL: res.URL, By: res.By, Reason: res.Reason, At: res.At}
}

// SocialDeleteWorkflow deletes a post on the worker, which holds the
// network's credentials.
func SocialDeleteWorkflow(ctx workflow.Context, in activitytypes.SocialDeleteInput) (SocialDeleteResult, error) {
	if strings.TrimSpace(in.By) == "" || in.ID == "" || in.Network == "" {
		return SocialDeleteResult{}, fmt.Errorf("delete social post: network, post ID and who deletes it (by) are required")
	}
	workflow.GetLogger(ctx).Info("deleting social post", "edition", in.Edition, "network", in.Network, "id", in.ID, "by", in.By, "reason", in.Reason)
	if err := activitytypes.DeleteSocialPost.Execute(withOptions(ctx, socialOptions), in).Get(ctx, nil); err != nil {
		return SocialDeleteResult{}, stepError("delete "+in.Network+" post", err)
	}
	out := SocialDeleteResult{SocialPost: activitytypes.SocialPost{Network: in.Network, Status: activitytypes.SocialDeleted, ID: in.ID, URL: in.URL,
		At: workflow.Now(ctx), Note: "deleted by " + in.By + reasonSuffix(in.Reason)}, By: in.By, Reason: in.Reason}
	if in.WorkflowID != "" && workflow.GetVersion(ctx, versionDeleteAudit, workflow.DefaultVersion, 1) == 1 {
		// A closed run cannot take signals: this run's result is then the
		// record, which starter status shows with the edition.
		if err := workflow.SignalExternalWorkflow(ctx, in.WorkflowID, "", SignalSocialDeleted, out.Deleted()).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Info("edition's run is closed; the deletion is recorded here", "workflowId", in.WorkflowID, "error", err)
		}
	}
	return out, nil
}

// listenSocialDeleted records deletions of the run's posts, made by hand
// while it is still open.
func (r *run) listenSocialDeleted(ctx workflow.Context) {
	listen(ctx, SignalSocialDeleted, func(ctx workflow.Context, raw converter.RawValue) {
		var d SocialDeleted
		if !r.decode(ctx, ActionDeletePost, raw, &d) {
			return
		}
		r.markDeleted(d)
		r.status.Decisions = append(r.status.Decisions, d.Decision())
	})
}

// markDeleted marks the post d names as deleted.
func (r *run) markDeleted(d SocialDeleted) {
	for i, p := range r.status.Posts {
		if p.Network == d.Network && p.ID == d.ID {
			r.status.Posts[i].Status, r.status.Posts[i].At = activitytypes.SocialDeleted, d.At
			r.status.Posts[i].Note = "deleted by " + d.By + reasonSuffix(d.Reason)
		}
	}
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
