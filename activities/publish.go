package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/render"
)

// ProofSubjectPrefix marks proof emails sent to approvers.
const ProofSubjectPrefix = "[Proof] "

// ProofInput is a proof of the email for the approvers.
type ProofInput struct {
	// NewsletterID is unique per proof (the workflow ID and the render
	// number), so a refreshed edition gets a new proof.
	NewsletterID string      `json:"newsletter_id"`
	Email        crm.Variant `json:"email"`
	Approvers    []string    `json:"approvers"`
	// EmailOnly names the sections the proof's default email leaves out
	// and who gets them; the proof lists them at the top.
	EmailOnly []render.EmailOnlySection `json:"email_only,omitempty"`
}

// ProofResult lists who the proof went to.
type ProofResult struct {
	SentTo   []string        `json:"sent_to"`
	Rejected []crm.Rejection `json:"rejected,omitempty"`
}

// SendProof sends the email, subject prefixed "[Proof]", to the approvers
// through the CRM, as a test send before the real one.
func (a *Activities) SendProof(ctx context.Context, in ProofInput) (ProofResult, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.NewsletterID)
	v := render.ProofNote(in.Email, in.EmailOnly)
	v.ID = "proof"
	v.Subject = ProofSubjectPrefix + v.Subject
	req := crm.NewsletterRequest{NewsletterID: in.NewsletterID, Variants: []crm.Variant{v}}
	for _, to := range in.Approvers {
		req.Messages = append(req.Messages, crm.Message{To: to, Variant: v.ID, Merge: map[string]string{"email": to}})
	}
	resp, err := a.CRM.SendNewsletter(ctx, in.NewsletterID+":proof", req)
	if err != nil {
		return ProofResult{}, classifyHTTP("send proof", ErrTypeCRMRejected, err)
	}
	res := ProofResult{Rejected: resp.Rejected}
	rejected := map[string]bool{}
	for _, r := range resp.Rejected {
		rejected[strings.ToLower(r.To)] = true
	}
	for _, to := range in.Approvers {
		if !rejected[strings.ToLower(to)] {
			res.SentTo = append(res.SentTo, to)
		}
	}
	return res, nil
}

// PublishInput is the web update of an edition.
type PublishInput struct {
	// WorkflowID keys the request, so a retried publish is one update.
	WorkflowID string                 `json:"workflow_id"`
	Edition    string                 `json:"edition"`
	Revision   string                 `json:"revision,omitempty"`
	Web        render.WebUpdate       `json:"web"`
	Sections   []content.SectionPrint `json:"sections,omitempty"`
}

// PublishUpdate publishes the web update on the Platform.
func (a *Activities) PublishUpdate(ctx context.Context, in PublishInput) (platform.CreateResponse, error) {
	ctx = httpapi.WithCorrelationID(ctx, in.WorkflowID)
	req := platform.UpdateRequest{
		Slug: in.Web.Slug, Title: in.Web.Title, Summary: in.Web.Summary,
		BodyHTML: in.Web.HTML, BodyMarkdown: in.Web.Markdown, Tags: in.Web.Tags,
		Edition: in.Edition, SourceRevision: in.Revision, Sections: in.Sections,
	}
	resp, err := a.Platform.CreateUpdate(ctx, in.WorkflowID+":publish", req)
	if errors.Is(err, platform.ErrSlugConflict) {
		return platform.CreateResponse{}, nonRetryable(ErrTypePlatformRejected, fmt.Errorf(
			"publish update %s: %w; this edition was already published with other content, so start the new content as a new edition", in.Web.Slug, err))
	}
	if err != nil {
		return platform.CreateResponse{}, classifyHTTP(fmt.Sprintf("publish update %s", in.Web.Slug), ErrTypePlatformRejected, err)
	}
	return resp, nil
}
