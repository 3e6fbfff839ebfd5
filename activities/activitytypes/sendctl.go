package activitytypes

import (
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/crm"
)

// UnsentInput asks who a cancelled send did not reach: the recipients
// from Cursor on (everyone when nothing was sent).
type UnsentInput struct {
	NewsletterID string   `json:"newsletter_id"`
	Edition      string   `json:"edition"`
	Audience     []string `json:"audience,omitempty"`
	Cursor       string   `json:"cursor,omitempty"`
	// Started: some pages were sent, so Cursor is where the rest begins.
	Started bool `json:"started,omitempty"`
	// Groups, for a send by time zone, are the groups not sent in full,
	// each from its own cursor; Cursor and Started are then unused.
	Groups []UnsentGroup `json:"groups,omitempty"`
}

// UnsentGroup is a time-zone group a cancelled send did not finish.
type UnsentGroup struct {
	Timezones []string `json:"timezones"`
	Cursor    string   `json:"cursor,omitempty"`
	Started   bool     `json:"started,omitempty"`
}

// UnsentReport says who a cancelled send did not reach: how many, the
// first few, and the whole list (CSV: email,name; and timezone for a send
// by time zone) in the artifact store.
type UnsentReport struct {
	Count  int           `json:"count"`
	Sample []string      `json:"sample,omitempty"`
	List   *artifact.Ref `json:"list,omitempty"`
	// SentCursor is the page cursor up to which recipients were sent.
	SentCursor string `json:"sent_cursor,omitempty"`
}

// TestSendInput sends an edition's rendered variants to test addresses.
type TestSendInput struct {
	// NewsletterID is the test send's own ID at the CRM, never the
	// edition's, so a test send is never deduplicated against the send.
	NewsletterID string        `json:"newsletter_id"`
	Manifest     *artifact.Ref `json:"manifest,omitempty"`
	Variants     []crm.Variant `json:"variants,omitempty"`
	// To holds addresses and names of seed lists (SeedLists).
	To []string `json:"to"`
}

// TestSendResult says who the test went to.
type TestSendResult struct {
	SentTo   []string        `json:"sent_to"`
	Messages int             `json:"messages"`
	Rejected []crm.Rejection `json:"rejected,omitempty"`
}

// ErrTypeUnknownSeedList refuses a test send to a list the worker does
// not know.
const ErrTypeUnknownSeedList = "UnknownSeedList"
