// Package retryafter reads the Retry-After header of RFC 9110 (section
// 10.2.3), so that every client of the product waits as long as a server
// asks, read the same way.
package retryafter

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header reads h's Retry-After; see Parse.
func Header(h http.Header, now time.Time) (time.Duration, bool) {
	return Parse(h.Get("Retry-After"), now)
}

// Parse reads a Retry-After value: delay-seconds (a non-negative integer)
// or an HTTP-date in any of the three formats RFC 9110 lets a recipient
// accept. A date at or before now means "retry now" (0, true). Decimal
// fractions such as "0.5", which the RFC does not allow but some APIs
// send, are read too. ok is false when the value is empty, negative or
// unreadable: the caller then picks its own backoff.
func Parse(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDecimal(v) {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		if secs >= math.MaxInt64/float64(time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// isDecimal reports whether v is digits with at most one decimal point and
// at least one digit: no sign, exponent, hex or spaces.
func isDecimal(v string) bool {
	digits, points := 0, 0
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}
