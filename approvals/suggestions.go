package approvals

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/workflows"
)

// suggestionsView is the model's suggestions as an approve page shows
// them: each next to the text it replaces, with its own accept button.
type suggestionsView struct {
	Model    string
	Items    []suggestionItem
	Findings []suggest.Finding
	Accepted []workflows.Accepted
}

type suggestionItem struct {
	suggest.Suggestion
	// Button is the accept button's element ID; empty when the edition
	// already says what the suggestion does.
	Button string
}

var unsafeID = regexp.MustCompile(`[^a-z0-9]+`)

// suggestionsOf builds the view from a run's preview and status; nil when
// the run has no suggestions.
func suggestionsOf(pv workflows.Preview, st workflows.Status) *suggestionsView {
	s := pv.Suggestions
	if s == nil || len(s.Suggestions)+len(s.Findings) == 0 {
		return nil
	}
	v := &suggestionsView{Model: s.Model, Findings: s.Findings}
	for _, x := range s.Suggestions {
		it := suggestionItem{Suggestion: x}
		if x.Original != x.Text {
			it.Button = "accept-" + strings.Trim(unsafeID.ReplaceAllString(strings.ToLower(x.ID), "-"), "-")
		}
		v.Items = append(v.Items, it)
	}
	if st.AI != nil {
		v.Accepted = st.AI.Accepted
	}
	return v
}

// handleAccept accepts the suggestions ids with an approve token. The
// workflow spends the token, renders the edition again, voids approvals
// and sends a new proof. The page then shows the new version with a token
// of its own for the same approver, so they can accept the next
// suggestion or approve; when the new version is not ready in time, it
// says a new proof is on its way.
func (s *Server) handleAccept(ctx context.Context, w http.ResponseWriter, ck checked, ids []string, comment string) {
	c := ck.claims
	if c.Action != token.ActionApprove {
		s.page(w, http.StatusBadRequest, "refused", refusal{Kind: workflows.ProblemWrongAction, Title: "Only an approve link accepts suggestions",
			Message: "This link is for " + actionLabels[c.Action] + ".", Next: "Open the Approve link from your proof email to accept suggestions."})
		return
	}
	if len(ids) == 0 {
		s.page(w, http.StatusBadRequest, "refused", refusal{Title: "No suggestion named", Message: "The form named no suggestion to accept.",
			Next: "Open the Approve link from your proof email again and press the button next to a suggestion."})
		return
	}
	msg, err := Accept(ctx, s.cfg.Temporal, c.WorkflowID, c.RunID, c.Approver, ck.tok, comment, ids)
	if err != nil {
		s.cfg.Logger.Warn("suggestions not accepted", "workflowId", c.WorkflowID, "approver", c.Approver, "ids", ids, "err", err)
		switch kind := Problem(err); kind {
		case workflows.ProblemUsed, workflows.ProblemStale, token.Expired, token.Forged, token.Malformed, workflows.ProblemNotAwaiting:
			s.refuse(w, kind, c)
		default:
			s.page(w, http.StatusConflict, "refused", refusal{Kind: kind, Title: "The suggestion was not accepted",
				Message: reasonOf(err), Next: "Open the newest proof email's Approve link and try again."})
		}
		return
	}
	s.cfg.Logger.Info("suggestions accepted", "workflowId", c.WorkflowID, "approver", c.Approver, "ids", ids)
	accepted := strings.Join(ids, ", ")
	next, errs := s.follow(ctx, ck)
	if next == nil {
		text := msg
		if len(errs) > 0 {
			text += " But rendering it failed: " + strings.Join(errs, "; ")
		}
		s.page(w, http.StatusOK, "done", donePage{Label: "Accept " + accepted, Edition: c.Edition, Message: text})
		return
	}
	p := s.confirmView(ctx, *next)
	p.Notice = fmt.Sprintf("Accepted %s. The edition is rendered again with it, so approvals given before are void and a new proof is on its way to every approver. Below is the new version: accept another suggestion, or approve it.", accepted)
	s.page(w, http.StatusOK, "confirm", p)
}

// followPoll is how often follow reads the run's status.
const followPoll = 250 * time.Millisecond

// follow waits until the run shows the version with the accepted
// suggestions and returns a token for it, bound like the one spent (same
// approver, action and deadline) and naming it (Via). It returns nil,
// with the run's errors if rendering failed, when there is no new version
// before ctx ends or the run moves on.
func (s *Server) follow(ctx context.Context, ck checked) (*checked, []string) {
	c := ck.claims
	seen := len(ck.status.Errors)
	for {
		st, err := Status(ctx, s.cfg.Temporal, c.WorkflowID, c.RunID)
		switch {
		case err != nil:
			return nil, nil
		case st.Outcome != "":
			return nil, nil
		case len(st.Errors) > seen:
			return nil, st.Errors[seen:]
		case st.Stage == workflows.StageAwaitingApproval && st.ContentRevision != "" && st.ContentRevision != c.Revision:
			next := c
			next.Revision, next.Nonce, next.Via, next.Operator = st.ContentRevision, "", c.ID(), false
			tok, err := s.cfg.Keys.Mint(next)
			if err != nil {
				s.cfg.Logger.Error("token for the new version", "workflowId", c.WorkflowID, "err", err)
				return nil, nil
			}
			next, _, err = s.cfg.Keys.Verify(tok, s.cfg.Now())
			if err != nil {
				return nil, nil
			}
			return &checked{tok: tok, claims: next, status: st}, nil
		}
		t := time.NewTimer(followPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil
		case <-t.C:
		}
	}
}

// reasonOf is the message of a refused Update: the workflow's own words.
func reasonOf(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}
