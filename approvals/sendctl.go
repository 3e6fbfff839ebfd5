package approvals

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/workflows"
)

// Send controls on the approval page: an approver's pause, resume or
// cancel link opens a page that shows the send in flight; only its form's
// POST acts, so a mail scanner fetching the link changes nothing.

var sendLabels = map[string]string{
	token.ActionPauseSend:  "Pause the send",
	token.ActionResumeSend: "Resume the send",
	token.ActionCancelSend: "Cancel the send",
}

type sendConfirmPage struct {
	Token, Action, Label, Approver, Edition, State, Summary string
	Sent, Total                                             int
	Groups                                                  []workflows.SendGroupStatus
}

// isSendControl reports whether tok is a valid token for a send control.
func (s *Server) isSendControl(tok string) bool {
	c, _, err := s.cfg.Keys.Verify(tok, s.cfg.Now())
	return err == nil && slices.Contains(token.SendActions, c.Action)
}

// checkSend is check for a send-control token: the run must have a send
// that the action applies to, and the token must be unused.
func (s *Server) checkSend(ctx context.Context, w http.ResponseWriter, tok string) (checked, bool) {
	c, _, err := s.cfg.Keys.Verify(tok, s.cfg.Now())
	if err != nil {
		s.refuse(w, token.KindOf(err), c)
		return checked{}, false
	}
	st, err := Status(ctx, s.cfg.Temporal, c.WorkflowID, c.RunID)
	if err != nil {
		s.cfg.Logger.Warn("status of a token's run", "workflowId", c.WorkflowID, "err", err)
		s.refuse(w, unreachable(err), c)
		return checked{}, false
	}
	d := st.Delivery
	if d != nil {
		for _, ev := range d.Controls {
			if ev.TokenID == c.ID() {
				s.refuse(w, workflows.ProblemUsed, c)
				return checked{}, false
			}
		}
	}
	if !c.Operator && st.ContentRevision != c.Revision {
		s.refuse(w, workflows.ProblemStale, c)
		return checked{}, false
	}
	if p := sendProblem(c.Action, st); p != "" {
		s.refuseSend(w, c, st, p)
		return checked{}, false
	}
	return checked{tok: tok, claims: c, status: st}, true
}

// sendProblem says why action does not apply to the run's send now.
func sendProblem(action string, st workflows.Status) string {
	d := st.Delivery
	if st.Outcome != "" || d == nil {
		return "the edition has no send in flight"
	}
	switch action {
	case token.ActionPauseSend:
		if (d.State == workflows.SendScheduled || d.State == workflows.SendSending) && !strings.Contains(d.Summary, "paused") {
			return ""
		}
		if d.State == workflows.SendPaused || strings.Contains(d.Summary, "paused") {
			return "the send is already paused"
		}
	case token.ActionResumeSend:
		if d.State == workflows.SendPaused || strings.Contains(d.Summary, "paused: held") {
			return ""
		}
		return "the send is not paused"
	case token.ActionCancelSend:
		if d.State == workflows.SendScheduled || d.State == workflows.SendSending || d.State == workflows.SendPaused {
			return ""
		}
	}
	if d.State == "" {
		return "the edition is not approved yet, so there is no send to control"
	}
	return "the send is " + d.State
}

func (s *Server) refuseSend(w http.ResponseWriter, c token.Claims, st workflows.Status, why string) {
	r := refusal{Kind: workflows.ProblemNotSending, Title: sendLabels[c.Action] + ": nothing to do",
		Message: "Edition " + c.Edition + ": " + why + ".", Next: "Nothing more to do. The edition's status shows its send."}
	if d := st.Delivery; d != nil && d.Summary != "" {
		r.Message += " Its send: " + d.Summary + "."
	}
	s.page(w, http.StatusConflict, "refused", r)
}

func (s *Server) handleSendConfirm(w http.ResponseWriter, r *http.Request, tok string) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	ck, ok := s.checkSend(ctx, w, tok)
	if !ok {
		return
	}
	c, st := ck.claims, ck.status
	p := sendConfirmPage{Token: tok, Action: c.Action, Label: sendLabels[c.Action], Approver: c.Approver, Edition: c.Edition,
		State: st.Delivery.State, Summary: st.Delivery.Summary, Groups: st.Delivery.Groups,
		Sent: st.Send.Accepted + st.Send.Duplicate + st.Send.Rejected, Total: st.Send.Total}
	s.page(w, http.StatusOK, "sendconfirm", p)
}

func (s *Server) handleSendDecide(w http.ResponseWriter, r *http.Request, tok string) {
	ctx, cancel := s.ctx(r)
	defer cancel()
	ck, ok := s.checkSend(ctx, w, tok)
	if !ok {
		return
	}
	c := ck.claims
	msg, err := SendControl(ctx, s.cfg.Temporal, c.WorkflowID, c.Action, workflows.SendControlSignal{By: c.Approver, Token: tok,
		Reason: strings.TrimSpace(r.PostForm.Get("reason"))})
	if err != nil {
		s.cfg.Logger.Warn("send control refused", "workflowId", c.WorkflowID, "action", c.Action, "approver", c.Approver, "err", err)
		kind := Problem(err)
		if kind == "" {
			kind = unreachable(err)
		}
		if kind == workflows.ProblemNotSending {
			s.refuseSend(w, c, ck.status, "the send changed meanwhile")
			return
		}
		s.refuse(w, kind, c)
		return
	}
	s.cfg.Logger.Info("send control applied", "workflowId", c.WorkflowID, "action", c.Action, "approver", c.Approver)
	s.page(w, http.StatusOK, "done", donePage{Label: sendLabels[c.Action], Edition: c.Edition, Message: msg})
}
