package activitytypes

import (
	"time"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/report/lastedition"
)

// ErrTypeNoSigningKeys fails a signed proof on a worker without keys.
const ErrTypeNoSigningKeys = "NoApprovalSigningKeys"

// ProofInput is a proof of the email for the approvers. With a Revision it
// is a signed proof: each approver gets links (or commands) carrying their
// own tokens for this run and revision.
type ProofInput struct {
	// NewsletterID is unique per proof (the workflow ID and the render
	// number), so a refreshed edition gets a new proof.
	NewsletterID string      `json:"newsletter_id"`
	Email        crm.Variant `json:"email"`
	Approvers    []string    `json:"approvers"`
	// EmailOnly names the sections the proof's default email leaves out
	// and who gets them; the proof lists them at the top.
	EmailOnly []render.EmailOnlySection `json:"email_only,omitempty"`

	WorkflowID string    `json:"workflow_id,omitempty"`
	RunID      string    `json:"run_id,omitempty"`
	Edition    string    `json:"edition,omitempty"`
	Revision   string    `json:"revision,omitempty"`
	Deadline   time.Time `json:"deadline,omitzero"`
	Reminder   bool      `json:"reminder,omitempty"`
	// Changes since the last edition.
	Changes []content.SectionChange `json:"changes,omitempty"`
	// ChangesSince holds, for each approver whose approval a change
	// voided, what changed since that approval.
	ChangesSince map[string][]content.SectionChange `json:"changes_since_approval,omitempty"`
	// Suggestions, when any, are shown above the email, each next to the
	// original, with the IDs to accept.
	Suggestions *suggest.Suggestions `json:"suggestions,omitempty"`
	// EmailRef, when set, names the email in the artifact store instead
	// of Email.
	EmailRef *artifact.Ref `json:"email_ref,omitempty"`
	// Warnings are shown at the top of the proof (an email Gmail will
	// clip, say).
	Warnings []string `json:"warnings,omitempty"`
	// LastEdition, when set, is shown above the email: how the edition
	// before did. Its report link is signed here, never in history.
	LastEdition *lastedition.Summary `json:"last_edition,omitempty"`
	// SendControlUntil, when set, gives each approver tokens to pause,
	// resume and cancel the send, valid until then.
	SendControlUntil time.Time `json:"send_control_until,omitzero"`
	// Social lists each network's draft and whether it will post.
	Social []SocialPlan `json:"social,omitempty"`
}

// ProofResult lists who the proof went to.
type ProofResult struct {
	SentTo   []string        `json:"sent_to"`
	Rejected []crm.Rejection `json:"rejected,omitempty"`
}

// VerifyInput is a token presented with a decision.
type VerifyInput struct {
	Token string `json:"token"`
}

// VerifyResult says whether the token's signature holds and it has not
// expired, and what it claims. Whether the claims fit the run is the
// workflow's check. Problem is "malformed", "forged" or "expired".
type VerifyResult struct {
	Valid   bool         `json:"valid"`
	Problem string       `json:"problem,omitempty"`
	Message string       `json:"message,omitempty"`
	Claims  token.Claims `json:"claims"`
	KeyID   string       `json:"key_id,omitempty"`
}

// ChangesRequestedInput tells the other approvers and the editors that an
// approver asked for changes.
type ChangesRequestedInput struct {
	NewsletterID string   `json:"newsletter_id"`
	Edition      string   `json:"edition"`
	WorkflowID   string   `json:"workflow_id"`
	By           string   `json:"by"`
	Comment      string   `json:"comment"`
	Notify       []string `json:"notify"`
}
