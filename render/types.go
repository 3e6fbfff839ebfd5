// Package render turns a parsed document into every channel of an edition:
// email variants (HTML + text), the web update and social drafts. It is pure
// code; templates come from the templates package or a folder.
package render

import (
	"time"

	"github.com/halcytone/contentgen/crm"
)

// Edition is what a render needs to know beyond the document.
type Edition struct {
	// ID is the edition name, e.g. "2026-W48".
	ID string `json:"id"`
	// Date is the edition's date (the start of its ISO week for weekly runs).
	Date time.Time `json:"date"`
	// WebBaseURL is the public base URL of the Platform's pages; the web
	// update lives at WebBaseURL + "/updates/" + slug.
	WebBaseURL string `json:"web_base_url"`
	// Stats are usage figures for the "by the numbers" block; none leaves
	// the block out.
	Stats []Stat `json:"stats,omitempty"`
	// Accepted holds texts an approver accepted in place of the derived
	// ones (see Overrides).
	Accepted Overrides `json:"accepted,omitzero"`
}

// Stat is one usage figure.
type Stat struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Output is every channel of one edition.
type Output struct {
	// Email is the variant for recipients in no targeted segment (or the
	// only variant when no section is targeted); it is also the proof.
	Email crm.Variant `json:"email"`
	// Variants holds one email per combination of targeted segments,
	// Email included. TargetedSegments lists the segments any section is
	// limited to, sorted.
	Variants         []crm.Variant `json:"variants"`
	TargetedSegments []string      `json:"targeted_segments,omitempty"`
	// EmailOnly lists the sections limited to some segments, in document
	// order: they appear only in those segments' email variants, never
	// on the web, in the feed or in social drafts.
	EmailOnly []EmailOnlySection `json:"email_only,omitempty"`
	Web       WebUpdate          `json:"web"`
	Social    []SocialDraft      `json:"social"`
	// Revision is the content revision: Digest of the channels above,
	// what an approver is shown and approves.
	Revision string `json:"revision,omitempty"`
	// Warnings are problems readers would meet, such as an email Gmail
	// will clip.
	Warnings []string `json:"warnings,omitempty"`
}

// EmailOnlySection is a section only some segments receive.
type EmailOnlySection struct {
	Heading  string   `json:"heading"`
	Segments []string `json:"segments"`
}

// WebUpdate is the website channel.
type WebUpdate struct {
	Slug     string   `json:"slug"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	URL      string   `json:"url"`
	HTML     string   `json:"html"`
	Markdown string   `json:"markdown"`
	Tags     []string `json:"tags,omitempty"`
}

// Social platforms.
const (
	X        = "x"
	Bluesky  = "bluesky"
	Mastodon = "mastodon"
	LinkedIn = "linkedin"
)

// SocialDraft is a post for one platform, within its limit as the platform
// counts it.
type SocialDraft struct {
	Platform string `json:"platform"`
	Text     string `json:"text"`
	Length   int    `json:"length"`
	Limit    int    `json:"limit"`
	// Image is the edition's lead image (the document's first public
	// image) and ImageAlt its alt text, attached where the network
	// allows; empty when there is none.
	Image    string `json:"image,omitempty"`
	ImageAlt string `json:"image_alt,omitempty"`
	// Posting is an approver's choice, PostingOn or PostingOff; empty
	// follows the run's settings.
	Posting string `json:"posting,omitempty"`
}

// An approver's posting choices for a draft.
const (
	PostingOn  = "on"
	PostingOff = "off"
)
