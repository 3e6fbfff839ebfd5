package approvals

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/workflows"
)

// SocialPath saves an approver's changes to the social posts (POST).
const SocialPath = "/social"

// socialRow is one network's draft on the approve page.
type socialRow struct {
	activitytypes.SocialPlan
	Name, Note string
}

func socialRows(plans []activitytypes.SocialPlan) []socialRow {
	rows := make([]socialRow, 0, len(plans))
	for _, p := range plans {
		row := socialRow{SocialPlan: p, Name: activitytypes.NetworkName(p.Network)}
		if p.Network == social.X && p.Post {
			row.Note = activities.XLinkNote
		}
		rows = append(rows, row)
	}
	return rows
}

// EditSocial sends an approver's changes to the social posts with their
// approve token, as the approve Update. The edition changes: a new
// proof goes out, which needs approving.
func EditSocial(ctx context.Context, c client.Client, workflowID, runID, by, tok string, edits []workflows.SocialEdit) (string, error) {
	h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, RunID: runID, UpdateName: workflows.UpdateApprove,
		Args:         []any{workflows.ApproveSignal{By: by, Token: tok, Social: edits}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return "", fmt.Errorf("change the social posts of %s: %w", workflowID, err)
	}
	var msg string
	if err := h.Get(ctx, &msg); err != nil {
		return "", fmt.Errorf("change the social posts of %s: %w", workflowID, err)
	}
	return msg, nil
}

// socialEdits compares the form with the drafts shown: a changed text or
// a changed choice to post is an edit.
func socialEdits(form map[string][]string, plans []activitytypes.SocialPlan) []workflows.SocialEdit {
	get := func(k string) (string, bool) {
		v, ok := form[k]
		if !ok || len(v) == 0 {
			return "", ok
		}
		return v[0], true
	}
	var edits []workflows.SocialEdit
	for _, p := range plans {
		var e workflows.SocialEdit
		// Browsers send a textarea's line breaks as CRLF.
		if text, ok := get("text." + p.Network); ok {
			text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
			if text != "" && text != p.Text {
				e.Text = text
			}
		}
		_, post := get("post." + p.Network)
		if post != p.Post {
			e.Post = &post
		}
		if e.Text != "" || e.Post != nil {
			e.Network = p.Network
			edits = append(edits, e)
		}
	}
	return edits
}

// handleSocial saves the approve page's changes to the social posts.
// Like every decision it acts only on POST, with the approver's token.
func (s *Server) handleSocial(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.page(w, http.StatusBadRequest, "refused", refusal{Title: "The form could not be read", Message: err.Error(), Next: "Open the link from your proof email again."})
		return
	}
	ck, ok := s.check(ctx, w, r.PostForm.Get("token"))
	if !ok {
		return
	}
	c := ck.claims
	if c.Action != token.ActionApprove {
		s.page(w, http.StatusForbidden, "refused", refusal{Kind: workflows.ProblemWrongAction, Title: "This link cannot change the social posts",
			Message: "Only the Approve link of a proof can change them.", Next: "Open the Approve link from your newest proof email."})
		return
	}
	edits := socialEdits(r.PostForm, ck.status.Social)
	if len(edits) == 0 {
		s.page(w, http.StatusBadRequest, "refused", refusal{Kind: workflows.ProblemBadSocialEdit, Title: "Nothing changed",
			Message: "The social posts are as in the proof.", Next: "Go back, edit a post or turn one on or off, and save again; or approve the edition as it is."})
		return
	}
	msg, err := EditSocial(ctx, s.cfg.Temporal, c.WorkflowID, c.RunID, c.Approver, ck.tok, edits)
	if err != nil {
		s.cfg.Logger.Warn("social edit refused", "workflowId", c.WorkflowID, "approver", c.Approver, "err", err)
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) && appErr.Type() == workflows.ProblemBadSocialEdit {
			s.page(w, http.StatusBadRequest, "refused", refusal{Kind: workflows.ProblemBadSocialEdit, Title: "These changes cannot be made",
				Message: appErr.Message(), Next: "Go back, fix the post and save again. Your link still works."})
			return
		}
		kind := Problem(err)
		if kind == "" {
			kind = unreachable(err)
		}
		s.refuse(w, kind, c)
		return
	}
	s.cfg.Logger.Info("social posts changed", "workflowId", c.WorkflowID, "approver", c.Approver, "networks", len(edits))
	s.page(w, http.StatusOK, "done", donePage{Label: "social post changes", Edition: c.Edition, Message: msg})
}
