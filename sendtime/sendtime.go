// Package sendtime reads an edition's send time — an instant such as
// 2026-12-07T09:00:00+01:00 or a weekly slot such as "Monday 09:00
// Europe/London" — and finds the send windows after a moment. It is pure
// apart from reading the time-zone database (embedded, so every worker
// reads the same one).
package sendtime

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the same zone rules on every worker
)

// Windows after a late approval.
const (
	// WindowNone sends at once when approval comes after the send time.
	WindowNone = ""
	// WindowDaily waits for the same local time on the next day.
	WindowDaily = "daily"
	// WindowWeekly waits for the same local time and weekday a week on.
	WindowWeekly = "weekly"
)

// Spec is a parsed send time.
type Spec struct {
	// at is set for an instant.
	at time.Time
	// weekday, hour and minute in loc, for a weekly slot.
	weekday      time.Weekday
	hour, minute int
	loc          *time.Location
}

// Weekly reports whether the spec is a weekly slot.
func (s Spec) Weekly() bool { return s.at.IsZero() }

// Parse reads "2026-12-07T09:00:00+01:00" (RFC 3339) or "Monday 09:00
// Europe/London" (weekday, 24-hour time, IANA zone; the zone defaults to
// UTC).
func Parse(s string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Spec{}, fmt.Errorf("send time is empty: give an instant such as 2026-12-07T09:00:00+01:00 or a weekly slot such as \"Monday 09:00 Europe/London\"")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return Spec{at: t}, nil
	}
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return Spec{}, fmt.Errorf("send time %q: give an instant such as 2026-12-07T09:00:00+01:00 or a weekly slot such as \"Monday 09:00 Europe/London\"", s)
	}
	wd, ok := weekday(f[0])
	if !ok {
		return Spec{}, fmt.Errorf("send time %q: %q is not a weekday: use Monday … Sunday (or Mon … Sun)", s, f[0])
	}
	clock, err := time.Parse("15:04", f[1])
	if err != nil {
		return Spec{}, fmt.Errorf("send time %q: %q is not a 24-hour time such as 09:00", s, f[1])
	}
	loc := time.UTC
	if len(f) == 3 {
		if loc, err = time.LoadLocation(f[2]); err != nil {
			return Spec{}, fmt.Errorf("send time %q: unknown time zone %q: use an IANA name such as Europe/London", s, f[2])
		}
	}
	return Spec{weekday: wd, hour: clock.Hour(), minute: clock.Minute(), loc: loc}, nil
}

func weekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(s)
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || s == name[:3] {
			return d, true
		}
	}
	return 0, false
}

// First is when an edition started at start is sent: the instant, or the
// first weekly slot at or after start.
func (s Spec) First(start time.Time) time.Time {
	if !s.Weekly() {
		return s.at
	}
	l := start.In(s.loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), s.hour, s.minute, 0, 0, s.loc)
	days := (int(s.weekday) - int(t.Weekday()) + 7) % 7
	t = t.AddDate(0, 0, days)
	if t.Before(start) {
		t = t.AddDate(0, 0, 7)
	}
	return t
}

// ValidWindow checks a --window value.
func ValidWindow(w string) error {
	switch w {
	case WindowNone, WindowDaily, WindowWeekly:
		return nil
	}
	return fmt.Errorf("send window %q: use daily or weekly (or leave it out to send at once after a late approval)", w)
}

// Next is when to send once approved at now, for an edition due at due:
// due itself when it is still ahead; else now, or with a window the first
// window at or after now (the same local clock time in the spec's zone,
// the next day or the next week).
func (s Spec) Next(due time.Time, window string, now time.Time) time.Time {
	if !due.Before(now) {
		return due
	}
	due = s.In(due)
	days := 0
	switch window {
	case WindowDaily:
		days = 1
	case WindowWeekly:
		days = 7
	default:
		return now
	}
	t := due
	for t.Before(now) {
		t = t.AddDate(0, 0, days)
	}
	return t
}

// In returns due in the zone of the spec, for messages (a weekly slot's
// zone; an instant keeps its own offset).
func (s Spec) In(due time.Time) time.Time {
	if s.Weekly() {
		return due.In(s.loc)
	}
	return due.In(s.at.Location())
}
