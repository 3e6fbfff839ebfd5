// Package httpapi holds what the CRM and Platform contracts share on both
// sides of the wire: the JSON error body, the typed client error with
// Retry-After, strict JSON decoding, API-key checks and request limits.
package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/internal/retryafter"
)

// ErrorBody is the JSON body of every 4xx/5xx reply of both services.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what was wrong; Field names the offending JSON field
// where there is one.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// WriteError writes an ErrorBody with status.
func WriteError(w http.ResponseWriter, status int, code, field, format string, args ...any) {
	WriteJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: fmt.Sprintf(format, args...), Field: field}})
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// StatusError is a non-2xx reply seen by a client.
type StatusError struct {
	Op         string // e.g. "crm send batch"
	StatusCode int
	Detail     ErrorDetail
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := e.Detail.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	s := fmt.Sprintf("%s: HTTP %d", e.Op, e.StatusCode)
	if e.Detail.Code != "" {
		s += " " + e.Detail.Code
	}
	s += ": " + msg
	if e.Detail.Field != "" {
		s += " (field " + e.Detail.Field + ")"
	}
	if hint := e.hint(); hint != "" {
		s += "; " + hint
	}
	return s
}

func (e *StatusError) hint() string {
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return "check the API key the worker is configured with"
	case http.StatusForbidden:
		return "the API key is valid but not allowed to do this"
	case http.StatusNotFound:
		return "check the base URL"
	case http.StatusRequestEntityTooLarge:
		return "the request is larger than the server accepts"
	}
	return ""
}

// Retryable reports whether trying again can help: 408, 409 (a request with
// the same idempotency key still in flight), 429 and 5xx.
func (e *StatusError) Retryable() bool {
	switch {
	case e.StatusCode == http.StatusRequestTimeout,
		e.StatusCode == http.StatusConflict,
		e.StatusCode == http.StatusTooManyRequests,
		e.StatusCode >= 500:
		return true
	}
	return false
}

// AsStatusError unwraps err into a *StatusError.
func AsStatusError(err error) (*StatusError, bool) {
	var se *StatusError
	ok := errors.As(err, &se)
	return se, ok
}

// ReadError builds a StatusError from a non-2xx reply, decoding an
// ErrorBody when the server sent one.
func ReadError(op string, resp *http.Response) *StatusError {
	after, _ := retryafter.Header(resp.Header, time.Now())
	se := &StatusError{Op: op, StatusCode: resp.StatusCode, RetryAfter: after}
	var body ErrorBody
	dec := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 64<<10))
	if dec.Decode(&body) == nil {
		se.Detail = body.Error
	}
	return se
}
