package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
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

// SocialDeleteWorkflow deletes a post on the worker, which holds the
// network's credentials.
func SocialDeleteWorkflow(ctx workflow.Context, in activities.SocialDeleteInput) (activities.SocialPost, error) {
	if strings.TrimSpace(in.By) == "" || in.ID == "" || in.Network == "" {
		return activities.SocialPost{}, fmt.Errorf("delete social post: network, post ID and who deletes it (by) are required")
	}
	workflow.GetLogger(ctx).Info("deleting social post", "edition", in.Edition, "network", in.Network, "id", in.ID, "by", in.By, "reason", in.Reason)
	if err := workflow.ExecuteActivity(withOptions(ctx, socialOptions), a.DeleteSocialPost, in).Get(ctx, nil); err != nil {
		return activities.SocialPost{}, stepError("delete "+in.Network+" post", err)
	}
	return activities.SocialPost{Network: in.Network, Status: activities.SocialDeleted, ID: in.ID, At: workflow.Now(ctx),
		Note: "deleted by " + in.By + reasonSuffix(in.Reason)}, nil
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
