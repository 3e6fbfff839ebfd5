// Package lastedition holds the short summary of the previous edition that
// the next edition's proof and status show: figures and names only, so
// workflows can carry it without linking the code that reads the CRM and
// the Platform (package report).
package lastedition

import (
	"fmt"

	"github.com/halcytone/contentgen/crm"
)

// Summary is the previous edition in a few figures.
type Summary struct {
	Edition      string `json:"edition"`
	Slug         string `json:"slug,omitempty"`
	Delivered    int    `json:"delivered"`
	ClicksTotal  int    `json:"clicks_total"`
	UniqueClicks int    `json:"unique_clicks"`
	// Tracking is the CRM's tracking mode; unique clicks are not counted
	// in "aggregate" or "off" (see UniqueCounted).
	Tracking     string `json:"tracking,omitempty"`
	Unsubscribed int    `json:"unsubscribed"`
	Bounced      int    `json:"bounced"`
	WebViews     int    `json:"web_views,omitempty"`
	// MostClicked and LeastClicked name sections with their clicks; empty
	// when no section was clicked (least is then also empty).
	MostClicked  *crm.SectionClicks `json:"most_clicked,omitempty"`
	LeastClicked *crm.SectionClicks `json:"least_clicked,omitempty"`
}

// The CRM's tracking modes that count no reader (crm.Report.Tracking).
const (
	TrackingAggregate = "aggregate"
	TrackingOff       = "off"
)

// UniqueCounted reports whether a CRM in this tracking mode counts unique
// clicks.
func UniqueCounted(tracking string) bool {
	return tracking != TrackingAggregate && tracking != TrackingOff
}

// Lines is the "Last edition" block as plain lines, without a heading.
func (l Summary) Lines() []string {
	unique := fmt.Sprintf("%d unique", l.UniqueClicks)
	if !UniqueCounted(l.Tracking) {
		unique = "unique not counted with " + l.Tracking + " tracking"
	}
	lines := []string{fmt.Sprintf("Edition %s: %d delivered, %d clicks (%s), %d unsubscribed, %d bounced",
		l.Edition, l.Delivered, l.ClicksTotal, unique, l.Unsubscribed, l.Bounced)}
	if l.WebViews > 0 {
		lines[0] += fmt.Sprintf(", %d web views", l.WebViews)
	}
	switch {
	case l.MostClicked == nil:
		lines = append(lines, "No section was clicked.")
	case l.LeastClicked == nil:
		lines = append(lines, fmt.Sprintf("Most clicked: %s (%d)", SectionName(l.MostClicked.Category), l.MostClicked.Clicks))
	default:
		lines = append(lines, fmt.Sprintf("Most clicked: %s (%d); least clicked: %s (%d)",
			SectionName(l.MostClicked.Category), l.MostClicked.Clicks, SectionName(l.LeastClicked.Category), l.LeastClicked.Clicks))
	}
	return lines
}

// SectionName is a section's category as reports show it.
func SectionName(category string) string {
	if category == "" {
		return "unsectioned links"
	}
	return category
}
