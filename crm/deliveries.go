package crm

import "time"

// Delivery statuses in the reference CRM's delivery log.
const (
	DeliveryQueued = "queued"
	DeliverySent   = "sent"
	DeliveryFailed = "failed"
	// DeliveryLogged is a message built in full but, in the "log" delivery
	// mode, handed to no SMTP server.
	DeliveryLogged = "logged"
	// DeliveryBounced is a message the receiving side sent back (a DSN or
	// a provider's bounce event) after it was sent.
	DeliveryBounced = "bounced"
	// DeliveryComplained is a message its recipient marked as spam (a
	// feedback-loop report or a provider's complaint event).
	DeliveryComplained = "complained"
)

// Feedback kinds: what came back for a sent delivery, as counted in
// DeliveriesPage.Feedback. A hard bounce (a permanent failure, 5.x.x) and
// a complaint suppress the address at once; soft bounces (the receiving
// side gave up after temporary failures) suppress it once there have been
// the CRM's configured number of them.
const (
	FeedbackHardBounce = "hard_bounce"
	FeedbackSoftBounce = "soft_bounce"
	FeedbackComplaint  = "complaint"
)

// MaxDeliveriesPage is the largest page GET /api/v1/deliveries returns.
const MaxDeliveriesPage = 1000

// Delivery is one row of the delivery log: one newsletter to one address.
type Delivery struct {
	ID            int64      `json:"id"`
	Address       string     `json:"address"`
	ContactID     string     `json:"contact_id,omitempty"`
	Variant       string     `json:"variant,omitempty"`
	Status        string     `json:"status"`
	SMTPMessageID string     `json:"smtp_message_id,omitempty"`
	Error         string     `json:"error,omitempty"`
	Attempts      int        `json:"attempts"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
}

// DeliveriesPage is the reply to GET /api/v1/deliveries: counts by status
// over the whole newsletter, and one page of rows ordered by ID. An empty
// NextCursor means the last page.
type DeliveriesPage struct {
	NewsletterID string         `json:"newsletter_id"`
	Counts       map[string]int `json:"counts"`
	// Feedback counts the bounce and complaint events recorded for the
	// newsletter by kind (FeedbackHardBounce, …).
	Feedback   map[string]int `json:"feedback,omitempty"`
	Total      int            `json:"total"`
	Deliveries []Delivery     `json:"deliveries"`
	NextCursor string         `json:"next_cursor,omitempty"`
}
