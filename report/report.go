// Package report puts together what an edition achieved: the CRM's email
// figures (deliveries, bounces, unsubscribes, clicks per section and link,
// estimated opens) and the Platform's web reads. The Platform's report
// page, "starter report" and the "Last edition" block of the next proof
// all read it, so they show the same figures. Pure code.
package report

import (
	"cmp"
	"slices"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/report/lastedition"
)

// NewsletterIDPrefix + edition is the newsletter ID the CRM counts an
// edition under (the workflow ID of the edition's run).
const NewsletterIDPrefix = "newsletter-"

// NewsletterID is the CRM's newsletter ID of edition.
func NewsletterID(edition string) string { return NewsletterIDPrefix + edition }

// Edition is what one edition achieved. Email figures are zero, and
// EmailUnavailable says why, when the CRM could not be read; web figures
// likewise with WebUnavailable.
type Edition struct {
	Edition      string `json:"edition"`
	NewsletterID string `json:"newsletter_id"`
	Delivered    int    `json:"delivered"`
	Bounced      int    `json:"bounced"`
	Complained   int    `json:"complained"`
	Unsubscribed int    `json:"unsubscribed"`
	ClicksTotal  int    `json:"clicks_total"`
	UniqueClicks int    `json:"unique_clicks"`
	// MachineClicks are link scanners' clicks, part of no other click
	// figure.
	MachineClicks  int                 `json:"machine_clicks"`
	OpensEstimated int                 `json:"opens_estimated"`
	MachineOpens   int                 `json:"machine_opens"`
	Sections       []crm.SectionClicks `json:"sections"`
	Links          []crm.LinkClicks    `json:"links"`
	ClicksByDay    []crm.DayCount      `json:"clicks_by_day"`
	// Segments are the delivery outcome and readers' clicks per segment
	// the recipients are in; clicks per segment need individual tracking.
	Segments      []crm.SegmentCount `json:"segments"`
	Tracking      string             `json:"tracking,omitempty"`
	WebViews      int                `json:"web_views"`
	WebUnique     int                `json:"web_unique_visitors"`
	WebViewsByDay []platform.ViewDay `json:"web_views_by_day"`
	// Slug is the edition's web update, when the Platform has one.
	Slug string `json:"slug,omitempty"`

	EmailUnavailable string `json:"email_unavailable,omitempty"`
	WebUnavailable   string `json:"web_unavailable,omitempty"`
}

// HasEmail reports whether the email figures were read.
func (e Edition) HasEmail() bool { return e.EmailUnavailable == "" }

// UniqueCounted reports whether UniqueClicks counts readers. The CRM ties
// clicks to recipients only with individual tracking; in aggregate mode
// it keeps no recipient next to a click, and its daily-visitor estimate
// counts readers who share a network address and browser once, so the
// report leaves unique clicks out (zero) and says so instead. A CRM that
// does not name its mode is taken at its word.
func (e Edition) UniqueCounted() bool { return lastedition.UniqueCounted(e.Tracking) }

// UniqueNotCounted is what reports show in place of unique clicks when the
// CRM does not count them.
const UniqueNotCounted = "unique clicks need individual tracking (TRACKING=individual)"

// HasWeb reports whether the web figures were read.
func (e Edition) HasWeb() bool { return e.WebUnavailable == "" }

// New starts the figures of edition, with neither source read yet.
func New(edition string) Edition {
	return Edition{Edition: edition, NewsletterID: NewsletterID(edition), Sections: []crm.SectionClicks{},
		Links: []crm.LinkClicks{}, ClicksByDay: []crm.DayCount{}, Segments: []crm.SegmentCount{}, WebViewsByDay: []platform.ViewDay{},
		EmailUnavailable: "not read", WebUnavailable: "not read"}
}

// SetEmail fills in the CRM's figures; sections and links are sorted by
// clicks, most first.
func (e *Edition) SetEmail(r crm.Report) {
	e.EmailUnavailable = ""
	e.Delivered, e.Bounced, e.Complained, e.Unsubscribed = r.Delivered, r.Bounced, r.Complained, r.Unsubscribed
	e.ClicksTotal, e.UniqueClicks, e.MachineClicks = r.ClicksTotal, r.UniqueClicks, r.MachineClicks
	e.OpensEstimated, e.MachineOpens, e.Tracking = r.OpensEstimated, r.MachineOpens, r.Tracking
	e.Sections = append([]crm.SectionClicks{}, r.Sections...)
	if !e.UniqueCounted() {
		e.UniqueClicks = 0
		for i := range e.Sections {
			e.Sections[i].UniqueClicks = 0
		}
	}
	slices.SortStableFunc(e.Sections, func(a, b crm.SectionClicks) int { return cmp.Compare(b.Clicks, a.Clicks) })
	e.Links = append([]crm.LinkClicks{}, r.Links...)
	slices.SortStableFunc(e.Links, func(a, b crm.LinkClicks) int { return cmp.Compare(b.Clicks, a.Clicks) })
	e.ClicksByDay = append([]crm.DayCount{}, r.ClicksByDay...)
	e.Segments = append([]crm.SegmentCount{}, r.Segments...)
}

// SetWeb fills in the Platform's web reads.
func (e *Edition) SetWeb(v platform.Views) {
	e.WebUnavailable = ""
	e.WebViews, e.WebUnique = v.Views, v.UniqueVisitors
	e.WebViewsByDay = append([]platform.ViewDay{}, v.Days...)
}

// Summarize is the "Last edition" summary of e; ok is false when the
// email figures are unavailable (there is then nothing worth showing).
func Summarize(e Edition) (lastedition.Summary, bool) {
	if !e.HasEmail() {
		return lastedition.Summary{}, false
	}
	l := lastedition.Summary{Edition: e.Edition, Slug: e.Slug, Delivered: e.Delivered, ClicksTotal: e.ClicksTotal, UniqueClicks: e.UniqueClicks,
		Tracking: e.Tracking, Unsubscribed: e.Unsubscribed, Bounced: e.Bounced, WebViews: e.WebViews}
	if len(e.Sections) > 0 && e.Sections[0].Clicks > 0 {
		most, least := e.Sections[0], e.Sections[len(e.Sections)-1]
		l.MostClicked = &most
		if len(e.Sections) > 1 {
			l.LeastClicked = &least
		}
	}
	return l, true
}
