// Package edition names newsletter editions. A weekly edition is named after
// its ISO week, e.g. "2026-W48"; other names are allowed for special issues.
package edition

import (
	"fmt"
	"regexp"
	"time"
)

var (
	weekRe = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// ForTime returns the ISO-week edition containing t (in t's location).
func ForTime(t time.Time) string {
	year, week := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", year, week)
}

// Validate reports whether name can be used as an edition: letters, digits,
// '.', '_' and '-', at most 64, starting with a letter or digit. It becomes
// part of the workflow ID and the web update's slug.
func Validate(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("edition %q: use letters, digits, '.', '_' or '-' (at most 64), e.g. 2026-W48", name)
	}
	if m := weekRe.FindStringSubmatch(name); m != nil {
		if _, err := WeekStart(name); err != nil {
			return err
		}
	}
	return nil
}

// WeekStart returns the Monday (00:00 UTC) of an ISO-week edition such as
// "2026-W48".
func WeekStart(name string) (time.Time, error) {
	m := weekRe.FindStringSubmatch(name)
	if m == nil {
		return time.Time{}, fmt.Errorf("edition %q is not an ISO week such as 2026-W48", name)
	}
	var year, week int
	fmt.Sscanf(m[1], "%d", &year)
	fmt.Sscanf(m[2], "%d", &week)
	// January 4th is always in week 1.
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	start := monday.AddDate(0, 0, 7*(week-1))
	if y, w := start.ISOWeek(); week < 1 || y != year || w != week {
		return time.Time{}, fmt.Errorf("edition %q: %d has no ISO week %d", name, year, week)
	}
	return start, nil
}

// Date returns the date an edition stands for: the Monday of an ISO-week
// edition, otherwise fallback.
func Date(name string, fallback time.Time) time.Time {
	if t, err := WeekStart(name); err == nil {
		return t
	}
	return fallback
}
