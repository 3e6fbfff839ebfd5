// Package crm holds the CRM contract: paths, limits and the types of
// requests and replies, shared by the client (crm/crmclient), the reference
// server (crm/server) and the renderer. It is data only: no HTTP.
package crm

import (
	"net/url"
)

// API paths.
const (
	PathRecipients  = "/api/v1/recipients"
	PathNewsletter  = "/api/v1/notifications/newsletter"
	PathContacts    = "/api/v1/contacts"
	PathUnsubscribe = "/unsubscribe"
	// PathDeliveries is the reference CRM's delivery-log endpoint
	// (GET ?newsletter_id=&status=&cursor=&limit=).
	PathDeliveries = "/api/v1/deliveries"
	// PathNewsletterContent is where a newsletter's variants are uploaded
	// once (PUT), so batches only name them.
	PathNewsletterContent = "/api/v1/newsletters/{newsletter_id}/content"
)

// NewsletterContentPath is PathNewsletterContent for one newsletter.
func NewsletterContentPath(newsletterID string) string {
	return "/api/v1/newsletters/" + url.PathEscape(newsletterID) + "/content"
}

// Limits of the contract.
const (
	// MaxMessagesPerRequest is the most messages one newsletter request may carry.
	MaxMessagesPerRequest = 1000
	// MaxRecipientsPage is the largest page GET /api/v1/recipients returns.
	MaxRecipientsPage = 1000
)

// Recipient is a subscribed contact.
type Recipient struct {
	ID             string            `json:"id"`
	Email          string            `json:"email"`
	Name           string            `json:"name,omitempty"`
	Segments       []string          `json:"segments,omitempty"`
	Attributes     map[string]string `json:"attributes,omitempty"`
	UnsubscribeURL string            `json:"unsubscribe_url,omitempty"`
}

// RecipientsPage is the reply to GET /api/v1/recipients. An empty NextCursor
// means the last page.
type RecipientsPage struct {
	Recipients []Recipient `json:"recipients"`
	NextCursor string      `json:"next_cursor,omitempty"`
	// Total, when the CRM knows it, is how many recipients match the
	// query across all pages (senders show what remains).
	Total int `json:"total,omitempty"`
}

// Variant is a rendered email carrying merge tags (see crm/mergetag), sent
// once per request and shared by every message that names it.
type Variant struct {
	ID        string `json:"id"`
	Subject   string `json:"subject"`
	Preheader string `json:"preheader,omitempty"`
	HTML      string `json:"html"`
	Text      string `json:"text"`
	// Fallbacks give a value for a merge field a recipient lacks.
	Fallbacks map[string]string `json:"fallbacks,omitempty"`
}

// Message is one email to one address: either it names a Variant and carries
// merge values, or it carries its own Subject/HTML/Text.
type Message struct {
	To      string            `json:"to"`
	Name    string            `json:"name,omitempty"`
	Variant string            `json:"variant,omitempty"`
	Merge   map[string]string `json:"merge,omitempty"`
	Subject string            `json:"subject,omitempty"`
	HTML    string            `json:"html,omitempty"`
	Text    string            `json:"text,omitempty"`
}

// NewsletterRequest is the body of POST /api/v1/notifications/newsletter.
type NewsletterRequest struct {
	NewsletterID string    `json:"newsletter_id"`
	Variants     []Variant `json:"variants,omitempty"`
	Messages     []Message `json:"messages"`
}

// Message statuses in a reply.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"
)

// MessageResult is the outcome for one message of a request, in order.
type MessageResult struct {
	To     string `json:"to"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Rejection is a message the CRM refused, with why.
type Rejection struct {
	To     string `json:"to"`
	Reason string `json:"reason"`
}

// NewsletterResponse is the 202 reply to a newsletter request. Duplicate
// counts messages to addresses this newsletter already reached.
type NewsletterResponse struct {
	Accepted  int             `json:"accepted"`
	Duplicate int             `json:"duplicate"`
	Rejected  []Rejection     `json:"rejected"`
	Results   []MessageResult `json:"results,omitempty"`
}

// ImportResult is the reply to POST /api/v1/contacts (CSV import).
type ImportResult struct {
	Imported int      `json:"imported"`
	Updated  int      `json:"updated"`
	Skipped  int      `json:"skipped"`
	Errors   []string `json:"errors,omitempty"`
}

// ContentRequest is the body of PUT /api/v1/newsletters/{newsletter_id}/content:
// every variant of a newsletter, and their digest (ContentDigest).
type ContentRequest struct {
	Digest   string    `json:"digest"`
	Variants []Variant `json:"variants"`
}

// ContentResponse is the reply to a content upload: 201 when stored, 200
// when the same digest was already stored.
type ContentResponse struct {
	NewsletterID string   `json:"newsletter_id"`
	Digest       string   `json:"digest"`
	Variants     []string `json:"variants"`
}

// ContentDigest is "sha256:<hex>" of the JSON encoding of vs, in order:
// what a content upload is identified by. It is computed a variant at a
// time (see ContentHash), never holding the whole encoding.
func ContentDigest(vs []Variant) string {
	h := NewContentHash()
	for _, v := range vs {
		h.Add(v)
	}
	return h.Sum()
}

// Error codes of a content upload.
const (
	// CodeContentLocked: the newsletter has begun sending with other
	// content; start the new content as a new newsletter.
	CodeContentLocked = "content_locked"
	// CodeDigestMismatch: the digest is not ContentDigest of the variants.
	CodeDigestMismatch = "digest_mismatch"
	// CodeUnknownVariant: a message names a variant neither in its
	// request nor in the newsletter's uploaded content.
	CodeUnknownVariant = "unknown_variant"
)
