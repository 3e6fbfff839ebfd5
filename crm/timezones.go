package crm

// Time-zone send windows: a sender that sends each recipient at the same
// local time asks the CRM which time zones its recipients are in, then
// reads the recipients of one group of zones at a time.

// PathRecipientTimezones lists the time zones of the subscribed contacts
// a recipients query would return, with counts
// (GET ?segment=S, segment repeating as for PathRecipients). A CRM
// without it answers 404 or 405: senders then refuse time-zone windows
// rather than send everyone with each group.
const PathRecipientTimezones = "/api/v1/recipients/timezones"

// AttrTimezone is the contact attribute that holds a recipient's IANA time
// zone name ("Europe/London").
const AttrTimezone = "timezone"

// ParamTimezone filters GET /api/v1/recipients by the timezone attribute:
// it may repeat, selecting the union; an empty value selects contacts
// without one. Only CRMs that serve PathRecipientTimezones take it.
const ParamTimezone = "timezone"

// TimezoneCount is how many recipients have one timezone attribute value,
// as stored (not checked against the time-zone database); "" counts those
// without one.
type TimezoneCount struct {
	Timezone string `json:"timezone"`
	Count    int    `json:"count"`
}

// TimezonesReply is the reply to GET /api/v1/recipients/timezones, ordered
// by Timezone.
type TimezonesReply struct {
	Timezones []TimezoneCount `json:"timezones"`
	Total     int             `json:"total"`
}

// RecipientQuery selects recipients: the union of Segments (none: every
// subscribed contact), and, when Timezones is not nil, only those whose
// timezone attribute is one of them ("" for none).
type RecipientQuery struct {
	Segments  []string
	Timezones []string
}
