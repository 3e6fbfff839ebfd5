package httpapi

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A client error carries the server's Retry-After however the server
// wrote it: whole seconds, a fraction, or an HTTP date.
func TestReadErrorRetryAfter(t *testing.T) {
	soon := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		header   string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"2", 2 * time.Second, 2 * time.Second},
		{"0.5", 500 * time.Millisecond, 500 * time.Millisecond},
		{soon, 58 * time.Minute, time.Hour},
		{"later", 0, 0},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{},
			Body: io.NopCloser(strings.NewReader(`{"error":{"code":"rate_limited","message":"slow down"}}`))}
		if tt.header != "" {
			resp.Header.Set("Retry-After", tt.header)
		}
		se := ReadError("crm send batch", resp)
		if se.RetryAfter < tt.min || se.RetryAfter > tt.max {
			t.Errorf("Retry-After %q: RetryAfter = %v, want %v to %v", tt.header, se.RetryAfter, tt.min, tt.max)
		}
		if se.Detail.Code != "rate_limited" || !se.Retryable() {
			t.Errorf("Retry-After %q: %+v, want a retryable rate_limited error", tt.header, se)
		}
	}
}
