// Package activities holds the Temporal activities of NewsletterWorkflow:
// thin adapters from the workflow to sources, the renderer, the CRM and the
// Platform. Everything they call is an interface, so tests substitute fakes.
package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/sources"
)

// Fetcher fetches a document by reference.
type Fetcher interface {
	Fetch(ctx context.Context, ref sources.Ref) (content.Document, error)
}

// Renderer renders an edition.
type Renderer interface {
	Render(p content.Parsed, ed render.Edition) (render.Output, error)
	// RenderEach renders like Render, handing each email variant to emit
	// and keeping none; it consumes p (see render.Renderer.RenderEach).
	RenderEach(p content.Parsed, ed render.Edition, emit func(crm.Variant) error) (render.Output, error)
}

// CRM is what the activities need of the CRM client.
type CRM interface {
	Recipients(ctx context.Context, segments []string, cursor string, limit int) (crm.RecipientsPage, error)
	SendNewsletter(ctx context.Context, idempotencyKey string, req crm.NewsletterRequest) (crm.NewsletterResponse, error)
}

// ContentUploader is a CRM that takes a newsletter's variants once, so
// batches only name them (crmclient.Client implements it).
type ContentUploader interface {
	// PutContentStream uploads n variants whose JSON encodings next
	// writes one at a time; digest is crm.ContentDigest of them all.
	PutContentStream(ctx context.Context, newsletterID, digest string, n int, next func(i int, w io.Writer) error) (crm.ContentResponse, error)
}

// Platform is what the activities need of the Platform client.
type Platform interface {
	CreateUpdate(ctx context.Context, idempotencyKey string, req platform.UpdateRequest) (platform.CreateResponse, error)
	LatestUpdate(ctx context.Context) (platform.Update, bool, error)
	Stats(ctx context.Context) ([]platform.Stat, error)
}

// Activities holds the dependencies of every activity. The worker registers
// one value; the workflow calls methods through a nil *Activities.
type Activities struct {
	Sources  Fetcher
	Taxonomy content.Taxonomy
	Renderer Renderer
	// Artifacts holds documents and renders outside workflow history.
	Artifacts *blobstore.Store
	CRM       CRM
	Platform  Platform
	// WebBaseURL is the public base URL of the Platform's pages.
	WebBaseURL string
	Send       SendOptions
	Approvals  ApprovalOptions
	// Reports feeds the last edition's figures into the next proof.
	Reports ReportOptions
	// Social holds a client per network the worker has credentials for;
	// a network missing here keeps its draft.
	Social map[string]social.Poster
	// Images downloads a post's lead image; nil posts without images.
	Images ImageFetcher
	// AI makes suggestions; nil when AI is off.
	AI *Suggester
	// SeedLists are named lists of test addresses (SEED_LISTS), for test
	// sends.
	SeedLists map[string][]string
	// Runs starts and signals newsletter runs for a document's watcher;
	// nil uses the worker's own Temporal client.
	Runs Runs
}

// nonRetryable turns err into a final application error of type typ.
func nonRetryable(typ string, err error) error {
	return failure(typ, err, temporal.ApplicationErrorOptions{NonRetryable: true})
}

// failure turns err into the error the activity returns: its text said
// once, as the message, with a stable type. The Go chain under err is not
// passed on as the cause: Temporal would record every wrapped level again,
// each with all the text below it, and a missing document would be named
// over and over in the run's failure. Activities classify with errors.Is
// and errors.As before they return, so nothing needs the chain after.
func failure(typ string, err error, o temporal.ApplicationErrorOptions) error {
	o.Cause = nil
	return temporal.NewApplicationErrorWithOptions(err.Error(), typ, o)
}

// classifyHTTP maps a CRM or Platform client error: 4xx other than 408, 409
// and 429 cannot succeed on retry; 429 retries after the server's
// Retry-After; everything else is retried by the activity's policy.
func classifyHTTP(op, rejectedType string, err error) error {
	err = fmt.Errorf("%s: %w", op, err)
	var open *httpapi.CircuitOpenError
	if errors.As(err, &open) {
		// The service failed repeatedly: come back when the breaker will
		// let a probe through, not before.
		return failure("CircuitOpen", err, temporal.ApplicationErrorOptions{NextRetryDelay: max(time.Until(open.Until), time.Second)})
	}
	se, ok := httpapi.AsStatusError(err)
	switch {
	case !ok:
		return failure(activitytypes.ErrTypeUnavailable, err, temporal.ApplicationErrorOptions{})
	case !se.Retryable():
		return nonRetryable(rejectedType, err)
	case se.RetryAfter > 0:
		return failure("RetryAfter", err, temporal.ApplicationErrorOptions{NextRetryDelay: se.RetryAfter})
	}
	return failure(activitytypes.ErrTypeUnavailable, err, temporal.ApplicationErrorOptions{})
}

// classifySource maps a source error to a stable, non-retryable type where
// a retry cannot help; other errors (network, 5xx, 429) stay retryable.
func classifySource(err error) error {
	switch {
	case errors.Is(err, sources.ErrNotFound):
		return nonRetryable(activitytypes.ErrTypeDocumentNotFound, err)
	case errors.Is(err, sources.ErrPermission):
		return nonRetryable(activitytypes.ErrTypePermission, err)
	case errors.Is(err, sources.ErrAuth):
		return nonRetryable(activitytypes.ErrTypeCredentials, err)
	case errors.Is(err, sources.ErrInvalid):
		return nonRetryable(activitytypes.ErrTypeInvalidDocument, err)
	}
	return failure(activitytypes.ErrTypeUnavailable, err, temporal.ApplicationErrorOptions{})
}
