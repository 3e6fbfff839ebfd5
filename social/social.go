// Package social posts an edition to social networks: one subpackage per
// network (mastodon, bluesky, x, linkedin) with a client for its real API,
// and fake/ with test servers shaped like those APIs. This package holds
// what they share: the post, the result, the typed errors and Once, which
// posts exactly once on networks that have no idempotency keys.
package social

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Networks, by the names used in configuration, input and results. They
// match the renderer's platform names.
const (
	Mastodon = "mastodon"
	Bluesky  = "bluesky"
	X        = "x"
	LinkedIn = "linkedin"
)

// Networks lists every network in the order posts go out.
func Networks() []string { return []string{Mastodon, Bluesky, X, LinkedIn} }

// Post is what goes out on one network.
type Post struct {
	// Text is the post as rendered (and approved) for the network; it
	// carries the link.
	Text string
	// Link is the edition's live web update. It is also the marker by
	// which a post already made for the edition is found again.
	Link        string
	Title       string
	Description string
	// Image, when set, is attached: a Mastodon, X or LinkedIn image, the
	// thumbnail of Bluesky's link card.
	Image *Image
}

// Image is a picture with its alt text.
type Image struct {
	Data        []byte
	ContentType string
	Alt         string
}

// Result is a post that exists on a network.
type Result struct {
	Network string    `json:"network"`
	ID      string    `json:"id"`
	URL     string    `json:"url"`
	At      time.Time `json:"at,omitzero"`
}

// Kind classifies an Error.
type Kind int

const (
	// KindUnavailable: network failure or 5xx; trying again may help.
	KindUnavailable Kind = iota
	// KindRateLimited: 429; try again after RetryAfter.
	KindRateLimited
	// KindAuth: the credentials are missing, wrong or expired; retries
	// cannot help until someone renews them.
	KindAuth
	// KindRejected: the network refused the post itself (too long,
	// duplicate, forbidden); retries cannot help.
	KindRejected
)

func (k Kind) String() string {
	switch k {
	case KindRateLimited:
		return "rate limited"
	case KindAuth:
		return "credentials"
	case KindRejected:
		return "rejected"
	}
	return "unavailable"
}

// Error is a failure talking to a network.
type Error struct {
	Network string
	Op      string // e.g. "create status"
	Kind    Kind
	// Status is the HTTP status, 0 for a transport failure.
	Status  int
	Code    string // the network's error code, when it sent one
	Message string
	// RetryAfter is when the network allows the next request (rate limit).
	RetryAfter time.Duration
	// Fix says what an operator must do, e.g. which variable to set.
	Fix string
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Network, e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	switch {
	case e.Message != "":
		fmt.Fprintf(&b, ": %s", e.Message)
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	case e.Status != 0:
		fmt.Fprintf(&b, ": %s", http.StatusText(e.Status))
	}
	if e.Kind == KindRateLimited && e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (rate limited; next request allowed in %s)", e.RetryAfter.Round(time.Second))
	}
	if e.Fix != "" {
		fmt.Fprintf(&b, "; %s", e.Fix)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again later can succeed.
func (e *Error) Retryable() bool { return e.Kind == KindUnavailable || e.Kind == KindRateLimited }

// AsError unwraps err into an *Error.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// StatusKind maps an HTTP status to a Kind: 401 is an auth failure, 429 a
// rate limit, 408 and 5xx unavailability, any other 4xx a rejection.
func StatusKind(status int) Kind {
	switch {
	case status == http.StatusUnauthorized:
		return KindAuth
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status == http.StatusRequestTimeout, status >= 500:
		return KindUnavailable
	}
	return KindRejected
}

// Transport wraps a transport failure (no reply) as a retryable Error.
func Transport(network, op string, err error) *Error {
	return &Error{Network: network, Op: op, Kind: KindUnavailable, Err: err}
}

// Variables names the worker settings a network needs.
func Variables(network string) string {
	switch network {
	case Mastodon:
		return "MASTODON_SERVER and MASTODON_ACCESS_TOKEN"
	case Bluesky:
		return "BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (and BLUESKY_SERVICE for a PDS other than bsky.social)"
	case X:
		return "X_CLIENT_ID, X_CLIENT_SECRET and X_REFRESH_TOKEN"
	case LinkedIn:
		return "LINKEDIN_ACCESS_TOKEN and LINKEDIN_AUTHOR_URN"
	}
	return "nothing: " + network + " is not a network this product posts to (mastodon, bluesky, x, linkedin)"
}
