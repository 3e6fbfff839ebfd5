package report

import (
	"context"
	"errors"
	"net/http"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// EmailSource reads a newsletter's figures (crm.Client implements it).
type EmailSource interface {
	Report(ctx context.Context, newsletterID string) (crm.Report, error)
}

// WebSource reads an edition's web reads (platform.Client implements it).
type WebSource interface {
	Views(ctx context.Context, edition string) (platform.Views, error)
}

// Read gathers edition's figures from email and web, either of which may
// be nil (not configured). A source that fails leaves its figures
// unavailable, with the reason, rather than failing the whole.
func Read(ctx context.Context, edition string, email EmailSource, web WebSource) Edition {
	e := New(edition)
	switch {
	case email == nil:
		e.EmailUnavailable = "no CRM configured (CRM_URL)"
	default:
		r, err := email.Report(ctx, e.NewsletterID)
		if se, ok := httpapi.AsStatusError(err); ok && se.StatusCode == http.StatusNotFound {
			e.EmailUnavailable = "the CRM has no figures for " + e.NewsletterID
		} else if err != nil {
			e.EmailUnavailable = err.Error()
		} else {
			e.SetEmail(r)
		}
	}
	switch {
	case web == nil:
		e.WebUnavailable = "no Platform configured (PLATFORM_URL)"
	default:
		v, err := web.Views(ctx, edition)
		if errors.Is(err, platform.ErrNotFound) {
			e.WebUnavailable = "the Platform has no update of edition " + edition
		} else if err != nil {
			e.WebUnavailable = err.Error()
		} else {
			e.SetWeb(v)
			e.Slug = v.Slug
		}
	}
	return e
}
