package activitytypes

import (
	"time"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/render"
)

// ErrTypeArtifact is the type of a run's failure when an artifact it
// needs is missing, altered or cannot be decrypted: retrying cannot bring
// it back, and nothing is sent.
const ErrTypeArtifact = "ArtifactUnavailable"

// DocumentInput names the document to fetch for an edition.
type DocumentInput struct {
	Source  string `json:"source"`
	Edition string `json:"edition"`
}

// SectionInfo describes one parsed section for approvers.
type SectionInfo struct {
	Heading  string   `json:"heading"`
	Category string   `json:"category,omitempty"`
	Segments []string `json:"segments,omitempty"`
}

// DocumentSummary is what history keeps of a fetched and parsed document:
// references to both, and what the workflow shows and decides on.
type DocumentSummary struct {
	Document     artifact.Ref  `json:"document"`
	Parsed       artifact.Ref  `json:"parsed"`
	Title        string        `json:"title"`
	Revision     string        `json:"revision,omitempty"`
	Fingerprint  string        `json:"fingerprint"`
	SectionTotal int           `json:"section_total"`
	Sections     []SectionInfo `json:"sections,omitempty"`
	Unknown      []string      `json:"unknown,omitempty"`
	Warnings     []string      `json:"warnings,omitempty"`
}

// PrepareInput names the document of an edition to fetch and render.
type PrepareInput struct {
	Source  string    `json:"source"`
	Edition string    `json:"edition"`
	Date    time.Time `json:"date"`
	// Reapply are suggestions accepted for an earlier version (see
	// RenderArtifactsInput.Reapply).
	Reapply []suggest.Applied `json:"reapply,omitempty"`
	// Social are approvers' edits to an earlier version's social drafts
	// (see RenderArtifactsInput.Social).
	Social *render.SocialEdits `json:"social,omitempty"`
}

// PrepareResult is a fetched, parsed and rendered edition, by reference.
type PrepareResult struct {
	Document DocumentSummary `json:"document"`
	Rendered RenderSummary   `json:"rendered"`
	// AIOff: this worker makes no suggestions, so the run need not ask
	// for a suggestion plan.
	AIOff bool `json:"ai_off,omitempty"`
}

// RenderArtifactsInput renders the edition of a stored parsed document.
type RenderArtifactsInput struct {
	Parsed  artifact.Ref  `json:"parsed"`
	Edition string        `json:"edition"`
	Date    time.Time     `json:"date"`
	Stats   []render.Stat `json:"stats,omitempty"`
	// WithStats reads the Platform's usage figures for the render (one
	// activity fewer in history); without them the block is left out
	// and StatsError says why.
	WithStats bool `json:"with_stats,omitempty"`
	// WithDetect compares the document with the last published edition
	// in the same activity (Detect in the result): one activity fewer.
	WithDetect bool `json:"with_detect,omitempty"`
	// Accepted are the suggestions approvers accepted, in place of the
	// derived texts.
	Accepted render.Overrides `json:"accepted,omitzero"`
	// Reapply are suggestions accepted for an earlier version of the
	// document: each that still fits this version is applied (see
	// suggest.Reapply), and the result says which and why not the others.
	Reapply []suggest.Applied `json:"reapply,omitempty"`
	// Social are approvers' edits to an earlier version's social drafts:
	// those that fit this version are applied over the drafts (see
	// render.CarrySocial), and the result says which and why not the
	// others.
	Social *render.SocialEdits `json:"social,omitempty"`
}

// VariantRef is one stored email variant.
type VariantRef struct {
	ID        string       `json:"id"`
	Subject   string       `json:"subject"`
	HTMLBytes int          `json:"html_bytes"`
	Ref       artifact.Ref `json:"ref"`
}

// RenderedEdition is the manifest of a rendered edition, itself stored as
// an artifact: every channel by reference, social drafts inline.
type RenderedEdition struct {
	Edition          string               `json:"edition"`
	Email            string               `json:"email"`
	Variants         []VariantRef         `json:"variants"`
	TargetedSegments []string             `json:"targeted_segments,omitempty"`
	Web              artifact.Ref         `json:"web"`
	WebURL           string               `json:"web_url"`
	Title            string               `json:"title"`
	Summary          string               `json:"summary,omitempty"`
	Slug             string               `json:"slug"`
	Preheader        string               `json:"preheader,omitempty"`
	Social           []render.SocialDraft `json:"social,omitempty"`
	// EmailOnly names the sections only some segments get by email.
	EmailOnly []render.EmailOnlySection `json:"email_only,omitempty"`
	// ContentRevision is render.Digest of every channel: the revision
	// approvals are bound to.
	ContentRevision string `json:"content_revision"`
	// ContentDigest is crm.ContentDigest of the variants, in order: what
	// the CRM is sent.
	ContentDigest string   `json:"content_digest"`
	Warnings      []string `json:"warnings,omitempty"`
}

// RenderSummary is the result of RenderEditionArtifacts.
type RenderSummary struct {
	// Manifest references the stored RenderedEdition.
	Manifest artifact.Ref `json:"manifest"`
	// Revision is the hex SHA-256 of the rendered edition (its manifest,
	// which names every variant, the web update and the social drafts by
	// digest): what an approval is bound to.
	Revision string `json:"revision"`
	// StatsError is why usage figures are missing, if they are.
	StatsError string `json:"stats_error,omitempty"`
	// Detect is set when the input asked WithDetect.
	Detect *DetectResult `json:"detect,omitempty"`
	// AIModel is the model this worker asks for suggestions; empty when
	// AI is off on it, and the run asks nothing.
	AIModel string `json:"ai_model,omitempty"`
	// Reapplied are the suggestions of the input's Reapply that fit this
	// version, with the overrides they make (Accepted); NotReapplied the
	// others, with the reason.
	Reapplied    []suggest.Applied    `json:"reapplied,omitempty"`
	NotReapplied []suggest.NotApplied `json:"not_reapplied,omitempty"`
	// SocialKept are the input's Social edits in this version, set
	// whenever the input has Social; SocialDropped the edited texts left
	// out, with the reason. Accepted holds the kept ones too.
	SocialKept    *render.SocialEdits  `json:"social_kept,omitempty"`
	SocialDropped []render.DroppedEdit `json:"social_dropped,omitempty"`
	Accepted      render.Overrides     `json:"accepted,omitzero"`
	RenderedEdition
}

// EmailRef is the stored default email, the proof's.
func (e RenderedEdition) EmailRef() *artifact.Ref {
	for _, v := range e.Variants {
		if v.ID == e.Email {
			ref := v.Ref
			return &ref
		}
	}
	return nil
}

// Subject is the default variant's subject.
func (e RenderedEdition) Subject() string {
	for _, v := range e.Variants {
		if v.ID == e.Email {
			return v.Subject
		}
	}
	return ""
}
