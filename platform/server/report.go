package server

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/platform/reportlink"
	"github.com/halcytone/contentgen/report"
)

// ReportSource reads what a newsletter achieved at the CRM
// (crm.Client implements it).
type ReportSource interface {
	Report(ctx context.Context, newsletterID string) (crm.Report, error)
}

// reportCSP is stricter than the other pages': the report loads nothing at
// all, not even images, and runs no script.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Comparisons is how many earlier editions a report compares with.
const Comparisons = 4

// crmBudget bounds the CRM reads of one report page.
const crmBudget = 10 * time.Second

type reportPage struct {
	Title, Edition, Date, Path string
	Figures                    report.Edition
	Sections, Links, Days, Web template.HTML
	Compare                    template.HTML
	Rows                       []report.Edition
	TopLinks                   []crm.LinkClicks
}

// handleReportPage serves /updates/{slug}/report to holders of the API key
// or of a signed link.
func (s *Server) handleReportPage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", reportCSP)
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer") // a signed link must not leak to the sites it lists
	h.Set("X-Robots-Tag", "noindex")
	slug := r.PathValue("slug")
	if status, msg := s.authorizeReport(r, slug); status != 0 {
		if status == http.StatusUnauthorized {
			h.Set("WWW-Authenticate", `Bearer realm="reports"`)
		}
		s.log.InfoContext(r.Context(), "report refused", "slug", slug, "status", status)
		http.Error(w, msg, status)
		return
	}
	u, found, err := s.getUpdate(r.Context(), slug)
	switch {
	case err != nil:
		s.pageError(w, r, err)
		return
	case !found:
		s.notFoundPage(w, r)
		return
	}
	page, err := s.buildReport(r.Context(), u)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pageReport, pageData{Description: "How edition " + u.Edition + " did", Page: page})
}

// authorizeReport returns 0 for a request carrying an API key or a valid
// signed link, else the status and message of the refusal.
func (s *Server) authorizeReport(r *http.Request, slug string) (int, string) {
	if key, ok := bearer(r); ok && s.cfg.Keys.Valid(key) {
		return 0, ""
	}
	err := reportlink.Verify(s.cfg.ReportLinkSecrets, slug, r.URL.Query(), s.now())
	switch {
	case err == nil:
		return 0, ""
	case errors.Is(err, reportlink.ErrMissing):
		return http.StatusUnauthorized, "This report needs the Platform API key (Authorization: Bearer <key>) or the signed link from a proof email."
	case errors.Is(err, reportlink.ErrExpired):
		return http.StatusForbidden, "This report link has expired. The latest proof email carries a fresh one; or open the report with the Platform API key."
	}
	return http.StatusForbidden, "This report link is not valid for this update. Use the link from a proof email as it was sent, or the Platform API key."
}

func bearer(r *http.Request) (string, bool) {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return strings.TrimSpace(key), ok
}

// buildReport reads the figures of u and of the editions before it.
func (s *Server) buildReport(ctx context.Context, u platform.Update) (reportPage, error) {
	earlier, err := s.listUpdates(ctx, u.ID, Comparisons)
	if err != nil {
		return reportPage{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, crmBudget)
	defer cancel()
	crmDown := ""
	figures := func(u platform.Update) (report.Edition, error) {
		e := report.New(u.Edition)
		e.Slug = u.Slug
		v, err := s.viewsOf(ctx, u)
		if err != nil {
			return e, err
		}
		e.SetWeb(v)
		switch {
		case s.cfg.Reports == nil:
			e.EmailUnavailable = "this Platform has no CRM configured (PLATFORM_CRM_URL)"
		case crmDown != "":
			e.EmailUnavailable = crmDown
		default:
			rep, err := s.cfg.Reports.Report(ctx, e.NewsletterID)
			if se, ok := httpapi.AsStatusError(err); ok && se.StatusCode == http.StatusNotFound {
				e.EmailUnavailable = "the CRM has no figures for " + e.NewsletterID + " (was it sent through this CRM?)"
				break
			}
			if err != nil {
				// One failure stands for the rest: a CRM that is down is
				// not asked four more times.
				crmDown = "the CRM could not be read: " + err.Error()
				e.EmailUnavailable = crmDown
				s.log.WarnContext(ctx, "email figures unavailable", "newsletterId", e.NewsletterID, "err", err)
				break
			}
			e.SetEmail(rep)
		}
		return e, nil
	}
	cur, err := figures(u)
	if err != nil {
		return reportPage{}, err
	}
	page := reportPage{Title: u.Title, Edition: u.Edition, Date: displayDate(u), Path: "/updates/" + url.PathEscape(u.Slug), Figures: cur}
	var sections, links, days, web, compare []bar
	for _, sc := range cur.Sections {
		sections = append(sections, bar{Label: sectionName(sc.Category), Value: sc.Clicks})
	}
	page.TopLinks = cur.Links[:min(len(cur.Links), 10)]
	for _, l := range page.TopLinks {
		links = append(links, bar{Label: linkLabel(l.URL), Value: l.Clicks})
	}
	for _, d := range cur.ClicksByDay {
		days = append(days, bar{Label: shortDay(d.Day), Value: d.Count})
	}
	for _, d := range cur.WebViewsByDay {
		web = append(web, bar{Label: shortDay(d.Day), Value: d.Views})
	}
	page.Rows = append(page.Rows, cur)
	for _, e := range earlier {
		f, err := figures(e)
		if err != nil {
			return reportPage{}, err
		}
		page.Rows = append(page.Rows, f)
	}
	// Clicks compare editions best; without the CRM, web views do.
	compareTitle := "Clicks compared with the last four editions"
	if !cur.HasEmail() {
		compareTitle = "Web views compared with the last four editions"
	}
	for i := len(page.Rows) - 1; i >= 0; i-- {
		v := page.Rows[i].ClicksTotal
		if !cur.HasEmail() {
			v = page.Rows[i].WebViews
		}
		compare = append(compare, bar{Label: page.Rows[i].Edition, Value: v, Highlight: i == 0})
	}
	page.Sections = barChart("chart-sections", "Clicks by section", sections)
	page.Links = barChart("chart-links", "Clicks by link (top 10)", links)
	page.Days = columnChart("chart-days", "Clicks over the first 7 days", days)
	page.Web = columnChart("chart-web", "Web views by day", web)
	page.Compare = barChart("chart-compare", compareTitle, compare)
	return page, nil
}

func sectionName(category string) string {
	if category == "" {
		return "Other links"
	}
	return category
}

// linkLabel shortens a URL to its host and path.
func linkLabel(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.TrimPrefix(u.Host, "www.") + strings.TrimRight(u.Path, "/")
}

// shortDay turns 2026-12-07 into "7 Dec".
func shortDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return fmt.Sprintf("%d %s", t.Day(), t.Format("Jan"))
}
