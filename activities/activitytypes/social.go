package activitytypes

import (
	"time"
)

// Error types of social posting; stable, so operators and tests can match
// on them.
const (
	ErrTypeSocialCredentials = "SocialCredentials"
	ErrTypeSocialRejected    = "SocialPostRejected"
	ErrTypeSocialRateLimited = "SocialRateLimited"
	ErrTypeSocialNoPost      = "SocialPostNotFound"
)

// Social post states, as results and the status query show them.
const (
	SocialPosted   = "posted"
	SocialDraft    = "draft"
	SocialDisabled = "disabled"
	SocialFailed   = "failed"
	SocialPending  = "scheduled"
	SocialDeleted  = "deleted"
)

// SocialPostInput is one network's post of an edition.
type SocialPostInput struct {
	WorkflowID string `json:"workflow_id"`
	Edition    string `json:"edition"`
	Network    string `json:"network"`
	// Text is the approved draft; it carries Link.
	Text string `json:"text"`
	// Link is the live web update: the embed card, and the marker by which
	// a post made by a lost attempt is found again.
	Link    string `json:"link"`
	Title   string `json:"title,omitempty"`
	Summary string `json:"summary,omitempty"`
	// Image is the edition's lead image URL, attached with ImageAlt (on
	// Bluesky as the link card's thumbnail).
	Image    string `json:"image,omitempty"`
	ImageAlt string `json:"image_alt,omitempty"`
}

// SocialPost is where one network's post of an edition stands.
type SocialPost struct {
	Network string    `json:"network"`
	Status  string    `json:"status"`
	ID      string    `json:"id,omitempty"`
	URL     string    `json:"url,omitempty"`
	At      time.Time `json:"at,omitzero"`
	// Note says why a post stayed a draft, or that an earlier attempt's
	// post was found instead of posting again.
	Note string `json:"note,omitempty"`
	// Error is the network's error and what to do, after the last retry.
	Error string `json:"error,omitempty"`
}

// SocialDeleteInput names a post to delete.
type SocialDeleteInput struct {
	Edition string `json:"edition"`
	// WorkflowID is the edition's run, told of the deletion for its
	// audit trail while it is open.
	WorkflowID string `json:"workflow_id,omitempty"`
	Network    string `json:"network"`
	ID         string `json:"id"`
	URL        string `json:"url,omitempty"`
	By         string `json:"by"`
	Reason     string `json:"reason,omitempty"`
}
