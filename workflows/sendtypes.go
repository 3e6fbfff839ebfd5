package workflows

import (
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
)

// Send control and test sends: signal and Update names, shared by the
// worker, the starter and operators' CLI calls.
const (
	// SignalPauseSend (and the Update of the same name) carries
	// SendControlSignal: temporal workflow update execute --workflow-id
	// newsletter-2026-W48 --name pause_send --input
	// '{"by":"ana@example.com","token":"v1.…"}'. A scheduled send stays
	// held; a send in flight stops after its batches in flight.
	SignalPauseSend = actionPauseSend
	// SignalResumeSend continues a paused send from its cursor.
	SignalResumeSend = actionResumeSend
	// SignalCancelSend stops the send for good after the batches in
	// flight; the run ends cancelled and lists who was not sent.
	SignalCancelSend = actionCancelSend
	UpdatePauseSend  = actionPauseSend
	UpdateResumeSend = actionResumeSend
	UpdateCancelSend = actionCancelSend
	// UpdateTestSend carries TestSendRequest: the rendered variants go to
	// the given addresses and seed lists, subject marked [Test]. It never
	// counts as the send.
	UpdateTestSend = "test_send"
)

// Stages of runs that send later or pause.
const (
	// StageScheduled: approved, waiting for the send time.
	StageScheduled = "scheduled"
	// StagePaused: the send is paused and holds its cursor.
	StagePaused = "paused"
)

// OutcomeCancelled ends a run whose send was cancelled.
const OutcomeCancelled = "cancelled"

// SendControlSignal is the payload of pause_send, resume_send and
// cancel_send. Token is an approver's token for that action or an
// operator's.
type SendControlSignal struct {
	By     string `json:"by"`
	Token  string `json:"token,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// SendControlEvent is one pause, resume or cancel received, applied or
// not, and why not.
type SendControlEvent struct {
	Action  string    `json:"action"`
	By      string    `json:"by,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
	Counted bool      `json:"counted"`
	Note    string    `json:"note,omitempty"`
	Problem string    `json:"problem,omitempty"`
	// SentSoFar is how many recipients the CRM had been handed when the
	// control arrived, as the run knew it.
	SentSoFar      int    `json:"sent_so_far"`
	TokenID        string `json:"token_id,omitempty"`
	OperatorIssued bool   `json:"operator_issued,omitempty"`
}

// TestSendRequest is the payload of the test_send Update: addresses and
// the names of seed lists the worker knows (SEED_LISTS).
type TestSendRequest struct {
	By string   `json:"by,omitempty"`
	To []string `json:"to"`
}

// TestSendRecord is one test send of the run.
type TestSendRecord struct {
	By           string    `json:"by,omitempty"`
	At           time.Time `json:"at"`
	NewsletterID string    `json:"newsletter_id"`
	Requested    []string  `json:"requested"`
	SentTo       []string  `json:"sent_to"`
	Messages     int       `json:"messages"`
	Error        string    `json:"error,omitempty"`
}

// DeliveryStatus is the send's schedule and control, in Status.
type DeliveryStatus struct {
	// SendAt is the edition's send time (Input.SendAt resolved).
	SendAt time.Time `json:"send_at,omitzero"`
	Window string    `json:"window,omitempty"`
	// SendingAt is when the approved edition goes out.
	SendingAt time.Time `json:"sending_at,omitzero"`
	// State is scheduled, sending, paused, cancelled or sent.
	State string `json:"state,omitempty"`
	// Summary reads as "approved, sending at …" or "paused after 5000
	// recipients".
	Summary string `json:"summary,omitempty"`
	// Groups are a send by time zone (Input.TZWindows): each group's
	// zones, instant and state, in the order they go.
	Groups []SendGroupStatus `json:"groups,omitempty"`
	// NoTimezone counts recipients without a timezone attribute, and
	// InvalidTimezones the values that are no IANA time zone: they go at
	// the edition's own send time.
	NoTimezone       int                         `json:"no_timezone,omitempty"`
	InvalidTimezones []crm.TimezoneCount         `json:"invalid_timezones,omitempty"`
	Controls         []SendControlEvent          `json:"controls,omitempty"`
	Unsent           *activitytypes.UnsentReport `json:"unsent,omitempty"`
	TestSends        []TestSendRecord            `json:"test_sends,omitempty"`
}
