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
