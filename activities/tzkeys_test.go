package activities

import (
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/activities/activitytypes"
)

// Each group's pages have keys of their own, stable across attempts.
func TestGroupKeysDiffer(t *testing.T) {
	all := keyScope(activitytypes.SendInput{NewsletterID: "newsletter-2026-W50"})
	lon := keyScope(activitytypes.SendInput{NewsletterID: "newsletter-2026-W50", Timezones: []string{"Europe/London"}})
	ny := keyScope(activitytypes.SendInput{NewsletterID: "newsletter-2026-W50", Timezones: []string{"America/New_York"}})
	if all != "newsletter-2026-W50" || lon == ny || lon == all || !strings.HasPrefix(lon, "newsletter-2026-W50:tz:") {
		t.Errorf("scopes %q %q %q", all, lon, ny)
	}
	if lon != keyScope(activitytypes.SendInput{NewsletterID: "newsletter-2026-W50", Timezones: []string{"Europe/London"}}) {
		t.Error("a group's key scope is not stable")
	}
}

// An empty zone list selects nobody, never everyone.
func TestNoZoneSelectsNobody(t *testing.T) {
	a := &Activities{}
	page, err := a.recipients(context.Background(), nil, []string{}, "", 10)
	if err != nil || len(page.Recipients) != 0 {
		t.Errorf("no zone: %d recipients, %v", len(page.Recipients), err)
	}
}
