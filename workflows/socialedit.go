package workflows

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/render"
)

// versionSocialEdits guards rendering an edition again with approvers'
// changes to its social drafts.
const versionSocialEdits = "social-edits"

// ProblemBadSocialEdit refuses a change to the social drafts that cannot
// be made (over the limit, no link, unknown network, nothing changed).
const ProblemBadSocialEdit = "bad_social_edit"

// errAcceptAndEdit refuses accepting suggestions and editing the social
// posts in one approval: each makes a new proof.
var errAcceptAndEdit = errors.New("accept suggestions and change the social posts one at a time: each makes a new proof")

// SocialEdit is an approver's change to one network's draft, sent with
// their approve token. The edition changes: it is rendered again, the
// approvals given so far are voided, and a new proof goes out.
type SocialEdit struct {
	Network string `json:"network"`
	// Text replaces the draft; empty keeps it. It must fit the network's
	// limit and keep the link to the update.
	Text string `json:"text,omitempty"`
	// Post turns the network's post on (true) or keeps it a draft
	// (false); nil leaves it as it is.
	Post *bool `json:"post,omitempty"`
}

// socialEditState is what the run keeps for approvers' social edits.
type socialEditState struct {
	pending   []SocialEdit
	pendingBy string
	// pendingAt is the pending edits' decision, an index in
	// status.Decisions.
	pendingAt int
	// by names who last chose to post or not, per network, for status.
	by map[string]string
	// applied counts renders with social edits, for proof IDs.
	applied int
	// kept are the edits in the edition awaiting approval, to carry into
	// a refresh's render (versionSocialKeep); textAt and postAt index the
	// decision that made each network's text and posting choice.
	kept           render.SocialEdits
	textAt, postAt map[string]int
	// notes say which edits the last refresh left out, for its proofs.
	notes []string
}

// posting reports whether d goes out once approved, and why when an
// approver or the run's settings decided it.
func (r *run) posting(d render.SocialDraft) (bool, string) {
	switch d.Posting {
	case render.PostingOn:
		return true, "turned on at approval" + r.socialBy(d.Platform)
	case render.PostingOff:
		return false, "turned off at approval" + r.socialBy(d.Platform)
	}
	if slices.Contains(r.in.Social.Disabled, d.Platform) {
		return false, "turned off when the edition was started (--no-social)"
	}
	if len(r.in.Social.Networks) > 0 && !slices.Contains(r.in.Social.Networks, d.Platform) {
		return false, "not among the networks the edition was started with (--social)"
	}
	return true, ""
}

func (r *run) socialBy(network string) string {
	if by := r.socialEdit.by[network]; by != "" {
		return " by " + by
	}
	return ""
}

// socialPlan is each draft and whether it will post: what approvers
// decide on.
func (r *run) socialPlan() []activitytypes.SocialPlan {
	if !r.wants(ChannelSocial) {
		return nil
	}
	drafts := r.socialDrafts()
	out := make([]activitytypes.SocialPlan, 0, len(drafts))
	for _, d := range drafts {
		post, why := r.posting(d)
		out = append(out, activitytypes.SocialPlan{Network: d.Platform, Text: d.Text, Length: d.Length, Limit: d.Limit,
			Image: d.Image, ImageAlt: d.ImageAlt, Post: post, Why: why})
	}
	return out
}

// webURL is the update's URL as rendered: every draft links to it.
func (r *run) webURL() string {
	if r.rendered != nil {
		return r.rendered.WebURL
	}
	return r.preview.Output.Web.URL
}

// checkSocialEdits says why edits cannot be made now, or nil.
func (r *run) checkSocialEdits(edits []SocialEdit) error {
	if len(edits) == 0 {
		return nil
	}
	switch {
	case !r.wants(ChannelSocial):
		return fmt.Errorf("edition %s has no social channel to edit", r.in.Edition)
	case r.ai.renderArtifacts == nil && r.ai.render.Edition == "":
		return fmt.Errorf("edition %s started before social posts could be edited at approval; approve or reject it as it is", r.in.Edition)
	case r.socialEdit.pending != nil || r.ai.pending != nil:
		return fmt.Errorf("edition %s is being rendered again with earlier changes; wait for the new proof", r.in.Edition)
	}
	plan := r.socialPlan()
	seen := map[string]bool{}
	changes := 0
	for _, e := range edits {
		i := slices.IndexFunc(plan, func(p activitytypes.SocialPlan) bool { return p.Network == e.Network })
		if i < 0 {
			return fmt.Errorf("no %q draft to edit: the drafts are %s", e.Network, strings.Join(render.Platforms(), ", "))
		}
		if seen[e.Network] {
			return fmt.Errorf("%s is edited twice; send one change per network", e.Network)
		}
		seen[e.Network] = true
		p, name := plan[i], activitytypes.NetworkName(e.Network)
		if text := strings.TrimSpace(e.Text); text != "" && text != p.Text {
			if link := r.webURL(); link != "" && !strings.Contains(text, link) {
				return fmt.Errorf("the %s post must keep the link to the update, %s: the post is found by it, so it goes out only once", name, link)
			}
			if n, limit := render.Count(e.Network, text), render.Limit(e.Network); n > limit {
				return fmt.Errorf("the %s post counts %d characters, over %s's limit of %d: shorten it by %d", name, n, name, limit, n-limit)
			}
			changes++
		}
		if e.Post != nil && *e.Post != p.Post {
			changes++
		}
	}
	if changes == 0 {
		return fmt.Errorf("nothing changes: the social posts are already as sent")
	}
	return nil
}

// editSocial records an approver's edits. The edition will change, so
// the approval does not count: awaitSigned renders again, voids the
// approvals and sends a new proof.
func (r *run) editSocial(ctx workflow.Context, d Decision, edits []SocialEdit) {
	d.Note = fmt.Sprintf("changed the social posts (%s); the edition changes, so approve the new proof", describeEdits(edits))
	r.record(ctx, d)
	r.socialEdit.pending, r.socialEdit.pendingBy = edits, d.By
	r.socialEdit.pendingAt = len(r.status.Decisions) - 1
}

func describeEdits(edits []SocialEdit) string {
	parts := make([]string, 0, len(edits))
	for _, e := range edits {
		var what []string
		if strings.TrimSpace(e.Text) != "" {
			what = append(what, "text edited")
		}
		if e.Post != nil {
			what = append(what, map[bool]string{true: "post", false: "keep a draft"}[*e.Post])
		}
		parts = append(parts, e.Network+": "+strings.Join(what, ", "))
	}
	return strings.Join(parts, "; ")
}

// applySocialEdits renders the edition again with the pending edits on
// top of what was accepted before, voids the approvals and sends a new
// proof. On failure the previous render stays up and status says why.
func (r *run) applySocialEdits(ctx workflow.Context) {
	edits, by, at := r.socialEdit.pending, r.socialEdit.pendingBy, r.socialEdit.pendingAt
	r.socialEdit.pending, r.socialEdit.pendingBy = nil, ""
	if r.version(ctx, versionSocialEdits, 1) == workflow.DefaultVersion {
		return
	}
	r.setStage(ctx, StageRendering) // no approval of the old version meanwhile
	o := r.ai.accepted
	o.Social, o.Posting = maps.Clone(o.Social), maps.Clone(o.Posting)
	if o.Social == nil {
		o.Social = map[string]string{}
	}
	if o.Posting == nil {
		o.Posting = map[string]bool{}
	}
	for _, e := range edits {
		if text := strings.TrimSpace(e.Text); text != "" {
			o.Social[e.Network] = text
		}
		if e.Post != nil {
			o.Posting[e.Network] = *e.Post
		}
	}
	if err := r.renderAccepted(ctx, o); err != nil {
		r.status.Errors = append(r.status.Errors, "social post changes not applied, the previous version is still awaiting approval: "+reason(err))
		return
	}
	if r.socialEdit.by == nil {
		r.socialEdit.by = map[string]string{}
	}
	for _, e := range edits {
		if e.Post != nil {
			r.socialEdit.by[e.Network] = by
		}
	}
	r.socialEdit.keep(edits, at, r.webURL())
	r.voidApprovalsOf("", fmt.Sprintf("the edition changed: %s changed the social posts (revision %.12s)", by, r.content))
	r.socialEdit.applied++
	r.sendSignedProof(ctx, r.in.Approvers, nil, false)
}

// renderAccepted renders the edition again with the overrides o and
// makes that render the one awaiting approval.
func (r *run) renderAccepted(ctx workflow.Context, o render.Overrides) error {
	if r.ai.renderArtifacts != nil {
		in := *r.ai.renderArtifacts
		in.Accepted = o
		var out activitytypes.RenderSummary
		if err := activitytypes.RenderEditionArtifacts.Execute(withOptions(ctx, localOptions), in).Get(ctx, &out); err != nil {
			return err
		}
		r.ai.accepted = o
		r.setRendered(out)
		r.socialEdit.notes = nil
		return nil
	}
	in := r.ai.render
	in.Accepted = o
	var out render.Output
	if err := activitytypes.RenderEdition.Execute(withOptions(ctx, localOptions), in).Get(ctx, &out); err != nil {
		return err
	}
	r.ai.accepted = o
	r.preview.Output = out
	r.content, r.status.ContentRevision = out.Revision, out.Revision
	return nil
}
