package crm

import (
	"net/url"
	"time"
)

// PathNewsletterReport is where a newsletter's performance figures are read
// (GET): deliveries, bounces, complaints, unsubscribes, clicks and opens.
const PathNewsletterReport = "/api/v1/newsletters/{newsletter_id}/report"

// NewsletterReportPath is PathNewsletterReport for one newsletter.
func NewsletterReportPath(newsletterID string) string {
	return "/api/v1/newsletters/" + url.PathEscape(newsletterID) + "/report"
}

// Report is what one newsletter achieved, as the CRM counted it. Opens are
// estimates: machine opens (privacy proxies prefetching images, opens within
// a second of delivery) are counted apart in MachineOpens and are not part
// of OpensEstimated. Likewise machine clicks (link scanners: known scanner
// user agents, HEAD requests, clicks within two seconds of delivery, several
// links of one message clicked within a second) are counted apart in
// MachineClicks and are part of no other click figure.
type Report struct {
	NewsletterID   string `json:"newsletter_id"`
	Delivered      int    `json:"delivered"`
	Bounced        int    `json:"bounced"`
	Complained     int    `json:"complained"`
	Unsubscribed   int    `json:"unsubscribed"`
	ClicksTotal    int    `json:"clicks_total"`
	MachineClicks  int    `json:"machine_clicks"`
	UniqueClicks   int    `json:"unique_clicks"`
	OpensEstimated int    `json:"opens_estimated"`
	MachineOpens   int    `json:"machine_opens"`
	// Sections lists every section of the newsletter, most clicked first,
	// with 0 clicks for sections nobody clicked or without links.
	Sections []SectionClicks `json:"sections"`
	Links    []LinkClicks    `json:"links"`
	// ClicksByDay counts clicks per UTC day from the first send, oldest
	// first, one entry per day for the first 7 days.
	ClicksByDay []DayCount     `json:"clicks_by_day"`
	Segments    []SegmentCount `json:"segments,omitempty"`
	// Tracking is how clicks were counted: "off", "aggregate" (no
	// recipient stored next to a click) or "individual".
	Tracking    string    `json:"tracking"`
	GeneratedAt time.Time `json:"generated_at"`
}

// SectionClicks counts the clicks on the links of one section of the
// edition (Breathscape, Hardware, Tips, Vision, …).
type SectionClicks struct {
	Category     string `json:"category"`
	Clicks       int    `json:"clicks"`
	UniqueClicks int    `json:"unique_clicks"`
}

// LinkClicks counts the clicks on one link.
type LinkClicks struct {
	URL      string `json:"url"`
	Category string `json:"category"`
	Clicks   int    `json:"clicks"`
}

// DayCount is a count for one UTC day (YYYY-MM-DD).
type DayCount struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

// SegmentCount is the delivery outcome within one segment.
type SegmentCount struct {
	Segment      string `json:"segment"`
	Delivered    int    `json:"delivered"`
	Bounced      int    `json:"bounced"`
	Complained   int    `json:"complained"`
	Unsubscribed int    `json:"unsubscribed"`
	Clicks       int    `json:"clicks"`
}
