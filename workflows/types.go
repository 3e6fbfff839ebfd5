package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/report/lastedition"
)

// DefaultApprovalTimeout is how long a run waits for a decision when the
// input names no timeout.
const DefaultApprovalTimeout = 72 * time.Hour

// Input starts a NewsletterWorkflow. Fields may be added; none removed.
// Nothing secret belongs here: API keys are the worker's own configuration.
type Input struct {
	// Edition, e.g. "2026-W48". Empty: derived from the schedule's start
	// time (TemporalScheduledStartTime) or the run's start time.
	Edition string `json:"edition,omitempty"`
	// Source is "markdown:<path-or-url>", "gdocs:<document-id>" or
	// "notion:<page-id>".
	Source string `json:"source"`
	// Audience limits the send to CRM segments; empty sends to every
	// subscribed contact.
	Audience []string `json:"audience,omitempty"`
	// Channels to publish on: email, web, social. Empty means all.
	Channels []string `json:"channels,omitempty"`
	// Approvers are the addresses whose decision counts.
	Approvers []string `json:"approvers"`
	// RequiredApprovals is how many distinct approvers must approve
	// (default 1).
	RequiredApprovals int `json:"required_approvals,omitempty"`
	// ApprovalTimeout ends the run as expired when no decision comes in
	// time ("72h"; default DefaultApprovalTimeout).
	ApprovalTimeout Duration `json:"approval_timeout,omitempty"`
	// Reminders are how long before the deadline undecided approvers are
	// reminded (default: half-way and one hour before).
	Reminders []Duration `json:"reminders,omitempty"`
	// DryRun renders and waits for approval but publishes and sends nothing.
	DryRun bool `json:"dry_run,omitempty"`
	// Force sends even when the document is unchanged since the last edition.
	Force bool `json:"force,omitempty"`
	// Social enables, disables and schedules each network's post.
	Social SocialInput `json:"social,omitzero"`
	// SendAt holds an approved edition until then: an instant
	// ("2026-12-07T09:00:00+01:00") or a weekly slot ("Monday 09:00
	// Europe/London", the first one at or after the run's scheduled
	// start). Empty: send at approval.
	SendAt string `json:"send_at,omitempty"`
	// Window, "daily" or "weekly", makes an approval after the send
	// time wait for the next window instead of sending at once.
	Window string `json:"window,omitempty"`
	// TZWindows sends each recipient with a timezone attribute (an IANA
	// name) at the send time's wall clock in their own zone; recipients
	// without one, or with an invalid one, go at SendAt itself. It needs
	// SendAt and a CRM that lists recipients by time zone.
	TZWindows bool `json:"tz_windows,omitempty"`
}

// ApproveSignal is the payload of the approve signal and update. Token is
// the approver's signed token from the proof email.
type ApproveSignal struct {
	By      string `json:"by"`
	Comment string `json:"comment,omitempty"`
	Token   string `json:"token,omitempty"`
	// Accept names suggestions to accept ("subject:2", "social.x"). The
	// edition then changes: this approval does not count, earlier ones
	// are voided, and a new proof goes out to approve.
	Accept []string `json:"accept,omitempty"`
	// Social changes the social drafts: edits a text, turns a post on or
	// off. As with Accept, the edition changes and a new proof goes out.
	Social []SocialEdit `json:"social,omitempty"`
}

// RejectSignal is the payload of the reject signal and update.
type RejectSignal struct {
	By     string `json:"by"`
	Reason string `json:"reason,omitempty"`
	Token  string `json:"token,omitempty"`
}

// RequestChangesSignal is the payload of the request_changes signal and
// update.
type RequestChangesSignal struct {
	By      string `json:"by"`
	Comment string `json:"comment"`
	Token   string `json:"token,omitempty"`
}

// ChangeRequest is one approver's request for changes.
type ChangeRequest struct {
	By       string    `json:"by"`
	Comment  string    `json:"comment"`
	Revision string    `json:"revision"`
	At       time.Time `json:"at"`
}

// RefreshSignal is the payload of the refresh signal (it may be empty).
type RefreshSignal struct {
	By string `json:"by,omitempty"`
}

// Decision is one entry of the audit trail: every approval, rejection and
// refresh received, counted or not, and why not.
type Decision struct {
	Action  string    `json:"action"`
	By      string    `json:"by,omitempty"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
	Counted bool      `json:"counted"`
	// Note says why a decision was not counted.
	Note string `json:"note,omitempty"`
	// Problem is a stable word for why a decision was not counted
	// (no_token, forged, expired, used, stale, wrong_approver, …).
	Problem string `json:"problem,omitempty"`
	// Revision is the content revision the decision was made on.
	Revision string `json:"revision,omitempty"`
	// Verified: the decision carried a valid signed token for By.
	Verified bool `json:"verified,omitempty"`
	// TokenID names the token used (not the token itself) and KeyID the
	// key that signed it; OperatorIssued marks a token an operator minted.
	TokenID        string `json:"token_id,omitempty"`
	KeyID          string `json:"key_id,omitempty"`
	OperatorIssued bool   `json:"operator_issued,omitempty"`
	// Via names the token whose use on the approval page (accepting a
	// suggestion) issued this decision's token.
	Via string `json:"via,omitempty"`
	// Voided approvals no longer count; VoidReason says why.
	Voided     bool   `json:"voided,omitempty"`
	VoidReason string `json:"void_reason,omitempty"`
	// Dropped says which of the decision's social edits a refresh left
	// out of the new version, and why.
	Dropped string `json:"dropped,omitempty"`
}

// Status is the answer to the status query.
type Status struct {
	Stage           string          `json:"stage"`
	Edition         string          `json:"edition"`
	RunID           string          `json:"run_id,omitempty"`
	ContentRevision string          `json:"content_revision,omitempty"`
	Pending         []string        `json:"pending,omitempty"`
	ChangeRequests  []ChangeRequest `json:"change_requests,omitempty"`
	RemindersSent   int             `json:"reminders_sent,omitempty"`
	Source          string          `json:"source"`
	Revision        string          `json:"revision,omitempty"`
	// Rendered is the hex SHA-256 of the rendered edition's manifest in
	// the artifact store (activitytypes.RenderSummary.Manifest).
	Rendered         string           `json:"rendered,omitempty"`
	DryRun           bool             `json:"dry_run,omitempty"`
	Outcome          string           `json:"outcome,omitempty"`
	Approvers        []string         `json:"approvers"`
	ApprovedBy       []string         `json:"approved_by,omitempty"`
	RejectedBy       string           `json:"rejected_by,omitempty"`
	Decisions        []Decision       `json:"decisions,omitempty"`
	ApprovalDeadline time.Time        `json:"approval_deadline,omitzero"`
	Sections         []SectionSummary `json:"sections,omitempty"`
	// SectionTotal is how many sections there are when Sections lists
	// only the first ones.
	SectionTotal int                        `json:"section_total,omitempty"`
	Unknown      []string                   `json:"unknown_sections,omitempty"`
	Changes      []content.SectionChange    `json:"changes,omitempty"`
	ChangesTotal int                        `json:"changes_total,omitempty"`
	Refreshes    int                        `json:"refreshes,omitempty"`
	ProofSentTo  []string                   `json:"proof_sent_to,omitempty"`
	Variants     int                        `json:"variants,omitempty"`
	UpdateURL    string                     `json:"update_url,omitempty"`
	Send         activitytypes.SendProgress `json:"send"`
	Posts        []activitytypes.SocialPost `json:"posts,omitempty"`
	// Social is each network's draft and whether it will post once
	// approved: what approvers decide on.
	Social   []activitytypes.SocialPlan `json:"social,omitempty"`
	Warnings []string                   `json:"warnings,omitempty"`
	Errors   []string                   `json:"errors,omitempty"`
	// AI is the suggestion step; nil for runs from before it existed.
	AI *AIStatus `json:"ai,omitempty"`
	// LastEdition is how the edition before did, as shown in the proof;
	// nil when its figures could not be read.
	LastEdition *lastedition.Summary `json:"last_edition,omitempty"`
	// Delivery is the send time, pauses, cancellation and test sends;
	// nil for runs from before they existed.
	Delivery *DeliveryStatus `json:"delivery,omitempty"`
}

// SectionSummary describes one parsed section for approvers.
type SectionSummary struct {
	Heading  string   `json:"heading"`
	Category string   `json:"category,omitempty"`
	Segments []string `json:"segments,omitempty"`
}

// Preview is the answer to the preview query: what changed since the last
// edition and the rendered channels. Runs on the artifact store answer
// with references (Document, Rendered) and the small parts; the channels
// themselves are read from the store ('starter preview' does). Older runs
// answer with Output.
type Preview struct {
	Edition  string                         `json:"edition"`
	Output   render.Output                  `json:"output"`
	Changes  []content.SectionChange        `json:"changes,omitempty"`
	Document *activitytypes.DocumentSummary `json:"document,omitempty"`
	Rendered *activitytypes.RenderSummary   `json:"rendered,omitempty"`
	// Suggestions are the model's, next to the originals; nil when AI is
	// off or failed (see Status.AI).
	Suggestions *suggest.Suggestions `json:"suggestions,omitempty"`
}

// Result is what a finished run returns.
type Result struct {
	Outcome    string     `json:"outcome"`
	Edition    string     `json:"edition"`
	Revision   string     `json:"revision,omitempty"`
	ApprovedBy []string   `json:"approved_by,omitempty"`
	RejectedBy string     `json:"rejected_by,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Decisions  []Decision `json:"decisions,omitempty"`
	// NotAnswered lists the approvers still undecided when the run timed out.
	NotAnswered    []string                 `json:"not_answered,omitempty"`
	ChangeRequests []ChangeRequest          `json:"change_requests,omitempty"`
	UpdateURL      string                   `json:"update_url,omitempty"`
	Send           activitytypes.SendResult `json:"send"`
	Social         []render.SocialDraft     `json:"social,omitempty"`
	// Posts says, per network, whether the draft was posted (with its URL
	// and ID), stayed a draft, or failed and why.
	Posts   []activitytypes.SocialPost `json:"posts,omitempty"`
	Changes []content.SectionChange    `json:"changes,omitempty"`
	// AI says which model made suggestions and which were accepted, by whom.
	AI *AIResult `json:"ai,omitempty"`
	// Delivery is the send time, the pauses and cancellation, who was not
	// sent and the test sends.
	Delivery *DeliveryStatus `json:"delivery,omitempty"`
}

// Duration is a time.Duration that reads and writes JSON as "72h" (a number
// of nanoseconds is accepted too), so CLI users can write it by hand.
type Duration time.Duration

// MarshalJSON writes the duration as a string such as "72h0m0s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads "72h", "90m" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration: want a string such as \"72h\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }
