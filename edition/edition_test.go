package edition

import (
	"testing"
	"time"
)

func TestForTimeAndWeekStartRoundTrip(t *testing.T) {
	cases := []struct {
		at   time.Time
		want string
		mon  string
	}{
		{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC), "2026-W48", "2026-11-23"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), "2026-W53", "2026-12-28"},
		{time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), "2026-W01", "2025-12-29"},
	}
	for _, c := range cases {
		got := ForTime(c.at)
		if got != c.want {
			t.Errorf("ForTime(%s) = %s, want %s", c.at, got, c.want)
		}
		start, err := WeekStart(got)
		if err != nil {
			t.Fatalf("WeekStart(%s): %v", got, err)
		}
		if start.Format("2006-01-02") != c.mon {
			t.Errorf("WeekStart(%s) = %s, want %s", got, start.Format("2006-01-02"), c.mon)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, ok := range []string{"2026-W48", "2026-11-special", "launch.v2"} {
		if err := Validate(ok); err != nil {
			t.Errorf("Validate(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "2025-W53", "2026-W00", "a b", "-x", "../etc"} {
		if err := Validate(bad); err == nil {
			t.Errorf("Validate(%q) = nil, want error", bad)
		}
	}
}
