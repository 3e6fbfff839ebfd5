package activities

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/proofmail"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/render"
)

// ProofSubjectPrefix marks proof emails sent to approvers.
const ProofSubjectPrefix = proofmail.SubjectPrefix

// ApprovalOptions configure approval tokens, links and notices. Keys stay
// in the worker: tokens are minted inside activities and only reach the
// approvers' mailboxes, never the workflow's history.
type ApprovalOptions struct {
	// Keys sign and verify approval tokens (APPROVAL_SIGNING_KEYS).
	Keys *token.Keyring
	// PublicURL is the approvals service's base URL (APPROVALS_PUBLIC_URL);
	// empty: the proof shows commands with tokens instead of links.
	PublicURL string
	// Editors also get requests for changes (EDITORS).
	Editors []string
	// Now is the clock tokens are checked against (default time.Now).
	Now func() time.Time
}

func (o ApprovalOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

var errNoKeys = errors.New("the worker has no APPROVAL_SIGNING_KEYS: set them (id:base64key, e.g. k1:$(openssl rand -base64 32)) and restart the worker")

// SendProof sends the email, subject prefixed "[Proof]", to the approvers
// through the CRM, as a test send before the real one.
func (a *Activities) SendProof(ctx context.Context, in activitytypes.ProofInput) (activitytypes.ProofResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	if in.EmailRef != nil {
		// A load error names the digest and store; returned as is, it
		// stays non-retryable.
		v, err := a.loadVariant(ctx, *in.EmailRef)
		if err != nil {
			return activitytypes.ProofResult{}, err
		}
		in.Email = v
	}
	if in.LastEdition != nil {
		in.Email = withLastEdition(in.Email, in.LastEdition, a.reportLink(*in.LastEdition))
	}
	warnings := append(append([]string(nil), in.Warnings...), a.senderWarnings(ctx)...)
	in.Email = withWarnings(in.Email, warnings)
	in.Email = withSocial(in.Email, in.Social, func(n string) bool { _, ok := a.Social[n]; return ok })
	// The email is handed on alone, so a large edition's body is not
	// held once more by the input while the proof's copy is built.
	email := in.Email
	in.Email = crm.Variant{}
	var req crm.NewsletterRequest
	var err error
	if in.Revision == "" {
		req = plainProof(in, email)
	} else if req, err = a.signedProof(in, email); err != nil {
		return activitytypes.ProofResult{}, err
	}
	// The proof's body is uploaded once, like the edition's, and each
	// approver's message carries only merge values.
	uploaded, err := a.uploadContent(ctx, in.NewsletterID, variantsUpload(req.Variants), a.Send.withDefaults().ContentMode, "upload content")
	if err != nil {
		return activitytypes.ProofResult{}, err
	}
	if uploaded {
		req.Variants = nil
	}
	resp, err := a.CRM.SendNewsletter(ctx, in.NewsletterID+":proof", req)
	if err != nil {
		return activitytypes.ProofResult{}, classifyHTTP("send proof", activitytypes.ErrTypeCRMRejected, err)
	}
	res := activitytypes.ProofResult{Rejected: resp.Rejected}
	rejected := map[string]bool{}
	for _, r := range resp.Rejected {
		rejected[strings.ToLower(r.To)] = true
	}
	for _, m := range req.Messages {
		if !rejected[strings.ToLower(m.To)] {
			res.SentTo = append(res.SentTo, m.To)
		}
	}
	return res, nil
}

// plainProof is the proof of runs started before signed approvals.
func plainProof(in activitytypes.ProofInput, email crm.Variant) crm.NewsletterRequest {
	v := withSuggestions(render.ProofNote(email, in.EmailOnly), in.Suggestions)
	v.ID = "proof"
	v.Subject = ProofSubjectPrefix + v.Subject
	req := crm.NewsletterRequest{NewsletterID: in.NewsletterID, Variants: []crm.Variant{v}}
	for _, to := range in.Approvers {
		req.Messages = append(req.Messages, crm.Message{To: to, Variant: v.ID, Merge: map[string]string{"email": to}})
	}
	return req
}

// signedProof is one message per approver naming a shared proof variant,
// with the approver's own links as merge values: approvers whose blocks
// read the same (all, unless a refresh voided some approvals) share one
// variant.
func (a *Activities) signedProof(in activitytypes.ProofInput, email crm.Variant) (crm.NewsletterRequest, error) {
	keys := a.Approvals.Keys
	if keys == nil {
		return crm.NewsletterRequest{}, nonRetryable(activitytypes.ErrTypeNoSigningKeys, fmt.Errorf("send proof: %w", errNoKeys))
	}
	req := crm.NewsletterRequest{NewsletterID: in.NewsletterID}
	body := withSuggestions(render.ProofNote(email, in.EmailOnly), in.Suggestions)
	variants := map[string]string{}
	for _, ap := range in.Approvers {
		d := proofmail.Data{Edition: in.Edition, WorkflowID: in.WorkflowID, Approver: ap, Deadline: in.Deadline,
			Reminder: in.Reminder, PublicURL: a.Approvals.PublicURL, Tokens: map[string]string{}, Changes: in.Changes}
		if since, ok := in.ChangesSince[ap]; ok {
			d.ApprovedEarlier, d.ChangesSince = true, since
		}
		for _, act := range token.Actions {
			tok, err := keys.Mint(token.Claims{WorkflowID: in.WorkflowID, RunID: in.RunID, Edition: in.Edition,
				Revision: in.Revision, Approver: ap, Action: act, Expires: in.Deadline.Unix()})
			if err != nil {
				return req, nonRetryable(activitytypes.ErrTypeNoSigningKeys, err)
			}
			d.Tokens[act] = tok
		}
		if !in.SendControlUntil.IsZero() {
			d.SendTokens = map[string]string{}
			for _, act := range token.SendActions {
				tok, err := keys.Mint(token.Claims{WorkflowID: in.WorkflowID, RunID: in.RunID, Edition: in.Edition,
					Revision: in.Revision, Approver: ap, Action: act, Expires: in.SendControlUntil.Unix()})
				if err != nil {
					return req, nonRetryable(activitytypes.ErrTypeNoSigningKeys, err)
				}
				d.SendTokens[act] = tok
			}
		}
		id, ok := variants[proofmail.Key(d)]
		if !ok {
			id = "proof"
			if n := len(variants); n > 0 {
				id = fmt.Sprintf("proof-%d", n+1)
			}
			v, err := proofmail.Variant(d, body, id)
			if err != nil {
				return req, nonRetryable(activitytypes.ErrTypeRender, err)
			}
			variants[proofmail.Key(d)] = id
			req.Variants = append(req.Variants, v)
		}
		req.Messages = append(req.Messages, crm.Message{To: ap, Variant: id, Merge: proofmail.Merge(d)})
	}
	return req, nil
}

// VerifyApproval checks a decision's token with the worker's keys, so the
// workflow, which holds no key, counts only signed decisions.
func (a *Activities) VerifyApproval(ctx context.Context, in activitytypes.VerifyInput) (activitytypes.VerifyResult, error) {
	if a.Approvals.Keys == nil {
		return activitytypes.VerifyResult{}, nonRetryable(activitytypes.ErrTypeNoSigningKeys, fmt.Errorf("verify approval token: %w", errNoKeys))
	}
	c, keyID, err := a.Approvals.Keys.Verify(in.Token, a.Approvals.now())
	if err != nil {
		return activitytypes.VerifyResult{Problem: token.KindOf(err), Message: err.Error(), KeyID: keyID}, nil
	}
	return activitytypes.VerifyResult{Valid: true, Claims: c, KeyID: keyID}, nil
}

// NotifyChangesRequested emails the request to the other approvers and to
// the worker's EDITORS list.
func (a *Activities) NotifyChangesRequested(ctx context.Context, in activitytypes.ChangesRequestedInput) (activitytypes.ProofResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.WorkflowID)
	to := append([]string(nil), in.Notify...)
	for _, ed := range a.Approvals.Editors {
		if !containsFold(to, ed) && !strings.EqualFold(ed, in.By) {
			to = append(to, ed)
		}
	}
	if len(to) == 0 {
		return activitytypes.ProofResult{}, nil
	}
	subject := fmt.Sprintf("[Changes requested] Edition %s", in.Edition)
	text := fmt.Sprintf("%s asked for changes to edition %s:\n\n%s\n\nThe run %s keeps waiting: edit the document and refresh it\n(starter refresh --workflow-id %s), and a new proof goes to every approver.\n",
		in.By, in.Edition, in.Comment, in.WorkflowID, in.WorkflowID)
	text = mergetag.Escape(text) // the comment must never read as a merge tag
	req := crm.NewsletterRequest{NewsletterID: in.NewsletterID, Variants: []crm.Variant{{ID: "changes", Subject: subject,
		Text: text, HTML: "<pre style=\"white-space:pre-wrap;font-family:inherit\">" + html.EscapeString(text) + "</pre>"}}}
	for _, addr := range to {
		req.Messages = append(req.Messages, crm.Message{To: addr, Variant: "changes"})
	}
	resp, err := a.CRM.SendNewsletter(ctx, in.NewsletterID, req)
	if err != nil {
		return activitytypes.ProofResult{}, classifyHTTP("send request for changes", activitytypes.ErrTypeCRMRejected, err)
	}
	res := activitytypes.ProofResult{Rejected: resp.Rejected}
	for _, m := range req.Messages {
		res.SentTo = append(res.SentTo, m.To)
	}
	return res, nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
