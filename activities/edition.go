package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// ErrTypeArtifact is the type of a run's failure when an artifact it
// needs is missing, altered or cannot be decrypted: retrying cannot bring
// it back, and nothing is sent.
const ErrTypeArtifact = "ArtifactUnavailable"

// maxListed bounds the lists a summary carries into history (sections,
// changes, warnings); the artifacts hold everything.
const maxListed = 64

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

// FetchAndParse fetches the living document, groups it into sections and
// stores both in the artifact store.
func (a *Activities) FetchAndParse(ctx context.Context, in DocumentInput) (DocumentSummary, error) {
	sum, _, err := a.fetchAndParse(ctx, in)
	return sum, err
}

// fetchAndParse is FetchAndParse, also returning the parsed document.
func (a *Activities) fetchAndParse(ctx context.Context, in DocumentInput) (DocumentSummary, content.Parsed, error) {
	var sum DocumentSummary
	ref, err := sources.ParseRef(in.Source)
	if err != nil {
		return sum, content.Parsed{}, nonRetryable(ErrTypeBadSource, err)
	}
	activity.GetLogger(ctx).Info("fetching document", "source", ref.String())
	doc, err := a.Sources.Fetch(ctx, ref)
	if err != nil {
		return sum, content.Parsed{}, classifySource(err)
	}
	p, err := content.Parse(doc, a.Taxonomy)
	if err != nil {
		return sum, p, nonRetryable(ErrTypeNoSections, fmt.Errorf("parse %s: %w", doc.Source, err))
	}
	if sum.Document, err = a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaDocument, doc); err != nil {
		return sum, p, fmt.Errorf("store document %s: %w", ref, err)
	}
	if sum.Parsed, err = a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaParsed, p); err != nil {
		return sum, p, fmt.Errorf("store parsed document %s: %w", ref, err)
	}
	sum.Title, sum.Revision, sum.Fingerprint = p.Title, p.Revision, p.Fingerprint
	sum.SectionTotal = len(p.Sections)
	for _, s := range p.Sections[:min(len(p.Sections), maxListed)] {
		sum.Sections = append(sum.Sections, SectionInfo{Heading: s.Heading, Category: s.Category, Segments: s.Segments})
	}
	sum.Unknown = bounded(p.Unknown, "more sections match no category")
	sum.Warnings = bounded(p.Warnings, "more warnings; 'starter render' lists them all")
	return sum, p, nil
}

// PrepareInput names the document of an edition to fetch and render.
type PrepareInput struct {
	Source  string    `json:"source"`
	Edition string    `json:"edition"`
	Date    time.Time `json:"date"`
	// Reapply are suggestions accepted for an earlier version (see
	// RenderArtifactsInput.Reapply).
	Reapply []suggest.Applied `json:"reapply,omitempty"`
}

// PrepareResult is a fetched, parsed and rendered edition, by reference.
type PrepareResult struct {
	Document DocumentSummary `json:"document"`
	Rendered RenderSummary   `json:"rendered"`
	// AIOff: this worker makes no suggestions, so the run need not ask
	// for a suggestion plan.
	AIOff bool `json:"ai_off,omitempty"`
}

// PrepareEdition fetches and parses the document, compares it with the
// last edition, reads the usage figures and renders every channel into
// the artifact store: one activity, so an edition and each refresh add
// few events to history. The document is parsed once and not read back.
func (a *Activities) PrepareEdition(ctx context.Context, in PrepareInput) (PrepareResult, error) {
	var res PrepareResult
	doc, p, err := a.fetchAndParse(ctx, DocumentInput{Source: in.Source, Edition: in.Edition})
	if err != nil {
		return res, err
	}
	res.Document, res.AIOff = doc, a.AI == nil
	res.Rendered, err = a.renderParsed(ctx, p, RenderArtifactsInput{Parsed: doc.Parsed, Edition: in.Edition, Date: in.Date, WithStats: true, WithDetect: true, Reapply: in.Reapply})
	return res, err
}

// bounded keeps the first maxListed entries and says how many were left.
func bounded(list []string, more string) []string {
	if len(list) <= maxListed {
		return list
	}
	return append(list[:maxListed:maxListed], fmt.Sprintf("… and %d %s", len(list)-maxListed, more))
}

// loadParsed reads a parsed document from the store.
func (a *Activities) loadParsed(ctx context.Context, ref artifact.Ref) (content.Parsed, error) {
	var p content.Parsed
	if err := a.Artifacts.GetJSON(ctx, ref, &p); err != nil {
		return p, artifactError(err)
	}
	return p, nil
}

// artifactError makes a store read failure non-retryable: the artifact is
// gone or altered, and waiting does not change that.
func artifactError(err error) error {
	var ae *artifact.Error
	if errors.As(err, &ae) {
		return nonRetryable(ErrTypeArtifact, err)
	}
	return err
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
	// ai.Reapply), and the result says which and why not the others.
	Reapply []suggest.Applied `json:"reapply,omitempty"`
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
	Accepted     render.Overrides     `json:"accepted,omitzero"`
	RenderedEdition
}

// RenderEditionArtifacts renders every channel of a stored parsed document
// and stores each email variant, the web update and the manifest.
func (a *Activities) RenderEditionArtifacts(ctx context.Context, in RenderArtifactsInput) (RenderSummary, error) {
	p, err := a.loadParsed(ctx, in.Parsed)
	if err != nil {
		return RenderSummary{}, err
	}
	return a.renderParsed(ctx, p, in)
}

// renderParsed is RenderEditionArtifacts of a parsed document in hand.
func (a *Activities) renderParsed(ctx context.Context, p content.Parsed, in RenderArtifactsInput) (RenderSummary, error) {
	var err error
	var detect *DetectResult
	if in.WithDetect {
		d, err := a.detect(withRunCorrelation(ctx), DetectInput{Edition: in.Edition, Parsed: p})
		if err != nil {
			return RenderSummary{}, err
		}
		if len(d.Changes) > maxListed {
			d.ChangesTotal, d.Changes = len(d.Changes), d.Changes[:maxListed]
		}
		detect = &d
	}
	var statsErr string
	if in.WithStats {
		// Usage figures are a nicety: without them the block is left
		// out, never the edition.
		if in.Stats, err = a.FetchStats(ctx); err != nil {
			statsErr, in.Stats = err.Error(), nil
		}
	}
	red := render.Edition{ID: in.Edition, Date: in.Date, WebBaseURL: a.WebBaseURL, Stats: in.Stats, Accepted: in.Accepted}
	var sum RenderSummary
	if len(in.Reapply) > 0 {
		// Matched against the document's own texts, then rendered with
		// those that still fit.
		plain := red
		plain.Accepted = render.Overrides{}
		base, err := a.Renderer.Render(p, plain)
		if err != nil {
			return RenderSummary{}, nonRetryable(ErrTypeRender, fmt.Errorf("render edition %s: %w", in.Edition, err))
		}
		red.Accepted, sum.Reapplied, sum.NotReapplied = suggest.Reapply(in.Reapply, p, base)
		sum.Accepted = red.Accepted
	}
	// Each email variant is stored, hashed and let go as soon as it is
	// rendered: a large edition's variants are never in memory together.
	rev, digest := render.NewRevision(), crm.NewContentHash()
	var variants []VariantRef
	var storeErr error
	out, err := a.Renderer.RenderEach(p, red,
		func(v crm.Variant) error {
			ref, err := a.Artifacts.PutStream(ctx, in.Edition, artifact.MediaVariant, func(w io.Writer) error {
				return crm.WriteVariant(io.MultiWriter(w, rev.NextVariant(), digest.Next()), v)
			})
			if err != nil {
				storeErr = fmt.Errorf("store email variant %s: %w", v.ID, err)
				return storeErr
			}
			variants = append(variants, VariantRef{ID: v.ID, Subject: v.Subject, HTMLBytes: len(v.HTML), Ref: ref})
			return nil
		})
	if storeErr != nil {
		return RenderSummary{}, storeErr
	}
	if err != nil {
		return RenderSummary{}, nonRetryable(ErrTypeRender, fmt.Errorf("render edition %s: %w", in.Edition, err))
	}
	m := RenderedEdition{Edition: in.Edition, Email: out.Email.ID, Variants: variants, TargetedSegments: out.TargetedSegments,
		WebURL: out.Web.URL, Slug: out.Web.Slug, Title: out.Web.Title, Summary: out.Web.Summary, Preheader: out.Email.Preheader, Social: out.Social,
		EmailOnly: out.EmailOnly, ContentRevision: rev.Sum(out),
		ContentDigest: digest.Sum(), Warnings: bounded(out.Warnings, "more warnings")}
	if m.Web, err = a.Artifacts.PutStream(ctx, in.Edition, artifact.MediaWeb, func(w io.Writer) error { return render.WriteWeb(w, out.Web) }); err != nil {
		return RenderSummary{}, fmt.Errorf("store web update: %w", err)
	}
	ref, err := a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaEdition, m)
	if err != nil {
		return RenderSummary{}, fmt.Errorf("store rendered edition: %w", err)
	}
	sum.Manifest, sum.Revision, sum.StatsError, sum.Detect, sum.RenderedEdition = ref, ref.Hex(), statsErr, detect, m
	if a.AI != nil {
		sum.AIModel = a.AI.Runner.Model.Name()
	}
	return sum, nil
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

// loadEdition reads a manifest and every variant it names.
func (a *Activities) loadEdition(ctx context.Context, ref artifact.Ref) (RenderedEdition, []crm.Variant, error) {
	m, err := a.loadManifest(ctx, ref)
	if err != nil {
		return m, nil, err
	}
	vs := make([]crm.Variant, 0, len(m.Variants))
	for _, vr := range m.Variants {
		v, err := a.loadVariant(ctx, vr.Ref)
		if err != nil {
			return m, nil, err
		}
		vs = append(vs, v)
	}
	if got := crm.ContentDigest(vs); got != m.ContentDigest {
		return m, nil, nonRetryable(ErrTypeArtifact, fmt.Errorf("rendered edition %s: variants have digest %s, the manifest says %s", ref.Digest, got, m.ContentDigest))
	}
	return m, vs, nil
}

// loadManifest reads a rendered edition's manifest.
func (a *Activities) loadManifest(ctx context.Context, ref artifact.Ref) (RenderedEdition, error) {
	var m RenderedEdition
	if err := a.Artifacts.GetJSON(ctx, ref, &m); err != nil {
		return m, artifactError(err)
	}
	return m, nil
}

func (a *Activities) loadVariant(ctx context.Context, ref artifact.Ref) (crm.Variant, error) {
	var v crm.Variant
	if err := a.Artifacts.GetJSON(ctx, ref, &v); err != nil {
		return v, artifactError(err)
	}
	return v, nil
}

// LoadOutput reads every channel of a rendered edition back from the
// store: what 'starter preview' writes out.
func LoadOutput(ctx context.Context, store *blobstore.Store, manifest artifact.Ref) (render.Output, error) {
	a := &Activities{Artifacts: store}
	m, vs, err := a.loadEdition(ctx, manifest)
	if err != nil {
		return render.Output{}, err
	}
	out := render.Output{Variants: vs, TargetedSegments: m.TargetedSegments, Social: m.Social, Warnings: m.Warnings,
		EmailOnly: m.EmailOnly, Revision: m.ContentRevision}
	for _, v := range vs {
		if v.ID == m.Email {
			out.Email = v
		}
	}
	if err := store.GetJSON(ctx, m.Web, &out.Web); err != nil {
		return render.Output{}, err
	}
	return out, nil
}
