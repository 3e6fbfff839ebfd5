package activitytypes

import (
	"time"

	"github.com/halcytone/contentgen/crm"
)

// ErrTypeNoTimezones refuses time-zone send windows with a CRM that cannot
// list or filter recipients by time zone.
const ErrTypeNoTimezones = "TimezonesUnsupported"

// LocalClock is the layout of SendGroupsInput.Local: a wall-clock time
// without a zone.
const LocalClock = "2006-01-02T15:04:05"

// SendGroupsInput asks for an edition's time-zone groups.
type SendGroupsInput struct {
	NewsletterID string   `json:"newsletter_id"`
	Audience     []string `json:"audience,omitempty"`
	// Local is the edition's send time as a wall clock (LocalClock): each
	// recipient's group goes at this clock in the recipient's zone.
	Local string `json:"local"`
	// At is the edition's own send instant, for recipients without a
	// valid time zone.
	At time.Time `json:"at"`
}

// SendGroup is the recipients sent at one instant: those whose timezone
// attribute is one of Timezones ("" for none).
type SendGroup struct {
	Timezones  []string  `json:"timezones"`
	At         time.Time `json:"at"`
	Recipients int       `json:"recipients"`
	// Default: the edition's own send time, where recipients without a
	// valid time zone go.
	Default bool `json:"default,omitempty"`
}

// SendGroupsResult is an edition's time-zone groups, by instant.
type SendGroupsResult struct {
	Groups []SendGroup `json:"groups"`
	// NoTimezone counts recipients without a timezone attribute; Invalid
	// the values that are no IANA time zone, with their recipients. Both
	// go at the edition's own send time.
	NoTimezone int                 `json:"no_timezone,omitempty"`
	Invalid    []crm.TimezoneCount `json:"invalid,omitempty"`
}
