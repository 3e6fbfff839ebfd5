package activitytypes

import (
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/crm"
)

// SendInput is one send of an edition's email.
type SendInput struct {
	// NewsletterID identifies the newsletter at the CRM (the workflow ID);
	// idempotency keys derive from it and the page cursor only.
	NewsletterID     string        `json:"newsletter_id"`
	Audience         []string      `json:"audience,omitempty"`
	Variants         []crm.Variant `json:"variants,omitempty"`
	TargetedSegments []string      `json:"targeted_segments,omitempty"`
	// Manifest, when set, names the rendered edition in the artifact
	// store; its variants are read from there instead of Variants.
	Manifest *artifact.Ref `json:"manifest,omitempty"`
	// Resume continues a send that was paused: the pages up to its
	// cursor are not sent again.
	Resume *SendProgress `json:"resume,omitempty"`
	// Timezones, when set, sends only to the recipients whose timezone
	// attribute is one of them ("" for none): one time-zone group. Its
	// pages' idempotency keys are the group's own.
	Timezones []string `json:"timezones,omitempty"`
}

// SendProgress is both the heartbeat detail of the send activity (so a
// retried attempt resumes after the last acknowledged page) and its result.
type SendProgress struct {
	Cursor    string          `json:"cursor,omitempty"`
	Pages     int             `json:"pages"`
	Total     int             `json:"total,omitempty"`
	Accepted  int             `json:"accepted"`
	Duplicate int             `json:"duplicate"`
	Rejected  int             `json:"rejected"`
	Reasons   []crm.Rejection `json:"rejected_samples,omitempty"`
	Done      bool            `json:"done"`
	// ContentMode says how the CRM got the variants: "upload" (once, by
	// digest ContentDigest) or "inline" (in every batch).
	ContentMode   string `json:"content_mode,omitempty"`
	ContentDigest string `json:"content_digest,omitempty"`
}

// Remaining is how many recipients are still to be sent, when the CRM told
// the total.
func (p SendProgress) Remaining() int {
	if p.Total == 0 {
		return 0
	}
	return max(0, p.Total-p.Accepted-p.Duplicate-p.Rejected)
}

// SendResult is the outcome of a send.
type SendResult = SendProgress
