package retryafter

import (
	"net/http"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"   ", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0.5", 500 * time.Millisecond, true},
		{"1.25", 1250 * time.Millisecond, true},
		{".5", 500 * time.Millisecond, true},
		{"-1", 0, false},
		{"+3", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"1.2.3", 0, false},
		{".", 0, false},
		{"3 seconds", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", time.Duration(1<<63 - 1), true},
		// IMF-fixdate, the preferred form.
		{"Thu, 26 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		// The obsolete RFC 850 and asctime forms a recipient must accept.
		{"Thursday, 26-Nov-26 12:01:00 GMT", time.Minute, true},
		{"Thu Nov 26 12:00:05 2026", 5 * time.Second, true},
		// A date in the past, or now, means retry now.
		{"Thu, 26 Nov 2026 11:00:00 GMT", 0, true},
		{"Thu, 26 Nov 2026 12:00:00 GMT", 0, true},
		{"Thu, 26 Nov 2026 25:00:00 GMT", 0, false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.value, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestHeader(t *testing.T) {
	now := time.Now()
	if d, ok := Header(http.Header{"Retry-After": {"7"}}, now); d != 7*time.Second || !ok {
		t.Errorf("Header(Retry-After: 7) = %v, %v; want 7s, true", d, ok)
	}
	if d, ok := Header(http.Header{}, now); d != 0 || ok {
		t.Errorf("Header() without Retry-After = %v, %v; want 0, false", d, ok)
	}
}
