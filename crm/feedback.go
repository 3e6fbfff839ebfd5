package crm

// Endpoints where mail providers report bounces and complaints to the
// reference CRM. Each checks the provider's own proof of origin (see
// docs/crm-contract.md): no API key is involved.
const (
	// PathWebhookSES receives Amazon SNS messages carrying Amazon SES
	// bounce and complaint notifications, signed by SNS.
	PathWebhookSES = "/webhooks/ses"
	// PathWebhookSendGrid receives SendGrid Event Webhook batches, signed
	// with the account's Signed Event Webhook key (ECDSA).
	PathWebhookSendGrid = "/webhooks/sendgrid"
	// PathWebhookPostmark receives Postmark bounce and spam complaint
	// webhooks, authenticated with HTTP basic auth.
	PathWebhookPostmark = "/webhooks/postmark"
)

// Suppression reasons: why an address receives no newsletter any more.
const (
	SuppressedHardBounce  = "hard_bounce"
	SuppressedComplaint   = "complaint"
	SuppressedSoftBounces = "soft_bounces"
)

// PathSender is where a CRM says how it sends (GET): facts every receiver
// sees anyway, never a key. The worker reads it to warn approvers, in the
// proof, about what will hurt delivery.
const PathSender = "/api/v1/sender"

// Sender describes how a CRM sends newsletters.
type Sender struct {
	// From is the sender address, e.g. "news@example.com".
	From string `json:"from"`
	// DKIM is whether messages are DKIM-signed; DKIMDomain and
	// DKIMSelector name the key's DNS record.
	DKIM         bool   `json:"dkim"`
	DKIMDomain   string `json:"dkim_domain,omitempty"`
	DKIMSelector string `json:"dkim_selector,omitempty"`
	// ReturnPathDomain is the domain of the envelope sender, where
	// bounces go.
	ReturnPathDomain string `json:"return_path_domain,omitempty"`
	// ListID is the List-Id header value.
	ListID string `json:"list_id,omitempty"`
}
