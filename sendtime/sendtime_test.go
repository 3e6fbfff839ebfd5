package sendtime

import (
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, s string) Spec {
	t.Helper()
	sp, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

func TestFirst(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) // a Monday
	cases := []struct {
		spec string
		want time.Time
	}{
		{"2026-12-07T09:00:00+01:00", time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)},
		{"Monday 09:00 Europe/London", time.Date(2026, 11, 30, 9, 0, 0, 0, london)},
		{"mon 07:00 Europe/London", time.Date(2026, 12, 7, 7, 0, 0, 0, london)},
		{"Wednesday 18:30", time.Date(2026, 12, 2, 18, 30, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := mustParse(t, c.spec).First(start); !got.Equal(c.want) {
			t.Errorf("%s: first %s, want %s", c.spec, got, c.want)
		}
	}
}

func TestNextWindow(t *testing.T) {
	sp := mustParse(t, "Monday 09:00 Europe/London")
	due := sp.First(time.Date(2027, 3, 22, 0, 0, 0, 0, time.UTC)) // Monday 22 March 09:00 GMT
	late := due.Add(2 * time.Hour)
	if got := sp.Next(due, WindowNone, late); !got.Equal(late) {
		t.Errorf("no window: %s, want now %s", got, late)
	}
	// The clocks go forward on 28 March: the next weekly window is 09:00 BST.
	if got := sp.Next(due, WindowWeekly, late); got.In(sp.loc).Hour() != 9 || got.Sub(due) != 7*24*time.Hour-time.Hour {
		t.Errorf("weekly window: %s", got.In(sp.loc))
	}
	if got := sp.Next(due, WindowDaily, late); !got.Equal(due.AddDate(0, 0, 1)) {
		t.Errorf("daily window: %s", got)
	}
	early := due.Add(-time.Hour)
	if got := sp.Next(due, WindowDaily, early); !got.Equal(due) {
		t.Errorf("approved before the send time: %s, want %s", got, due)
	}
}

func TestParseErrorsSayWhatToWrite(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "is empty",
		"Moonday 09:00":           "not a weekday",
		"Monday 9am":              "24-hour time",
		"Monday 09:00 Mars/Olymp": "unknown time zone",
		"next week please ok":     "weekly slot",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", in, err, want)
		}
	}
	if err := ValidWindow("hourly"); err == nil {
		t.Error("hourly window accepted")
	}
}
