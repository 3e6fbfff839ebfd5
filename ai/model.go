// Package ai asks an OpenAI-compatible model for suggestions on an edition:
// subject lines, a preheader, a summary per section, rewritten social
// drafts and a plain-language check. Suggestions are never applied by
// themselves: an approver accepts them by ID.
//
// Every request asks for structured output (response_format json_schema)
// and its reply is validated against that schema; model text is cleaned of
// markup before anyone sees it. Replies are cached by a SHA-256 of model,
// parameters and prompt, and each run has a token budget.
package ai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/ai/suggest"
)

// Model completes one structured request. The OpenAI client implements it;
// tests and the demo use an OpenAI-compatible fake server behind it.
type Model interface {
	Complete(ctx context.Context, req Request) (Reply, error)
	// Name is the model asked, e.g. "gpt-4o-mini"; it is part of the cache key.
	Name() string
}

// Request is one chat completion asking for JSON matching Schema.
type Request struct {
	// SchemaName names the response format ("subjects", "summary", …).
	SchemaName string
	Schema     Schema
	System     string
	User       string
	// MaxTokens bounds the completion.
	MaxTokens int
	// Temperature is sent as given; part of the cache key.
	Temperature float64
}

// Reply is the model's answer: the message content (JSON text) and usage.
type Reply struct {
	Content string
	Usage   suggest.Usage
}

// APIError is a reply from the model server that is not a success.
type APIError struct {
	Status int
	// RetryAfter is what the server asked to wait (Retry-After or
	// Retry-After-Ms), 0 when it did not say.
	RetryAfter time.Duration
	// Message is the server's own error message, when it sent one.
	Message string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("model server replied %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += " (check OPENAI_API_KEY: the server refused it)"
	case http.StatusNotFound:
		msg += " (check OPENAI_BASE_URL and AI_MODEL: the server knows no such endpoint or model)"
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		msg += " (the server rejected the request; check that AI_MODEL supports response_format json_schema)"
	}
	return msg
}

// Retryable reports whether the same request may succeed later: timeouts,
// conflicts, rate limits and server errors. 400, 401, 403, 404 and 422
// will fail the same way again.
func (e *APIError) Retryable() bool {
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return e.Status >= 500
}

// Retryable reports whether err may go away on a later attempt: an
// APIError that says so, or a network failure. A schema violation, an
// exhausted budget or a cancelled context is final.
func Retryable(err error) bool {
	var api *APIError
	switch {
	case errors.As(err, &api):
		return api.Retryable()
	case errors.Is(err, ErrBudget), errors.Is(err, ErrSchema), errors.Is(err, context.Canceled):
		return false
	}
	return true
}

// Sentinel errors.
var (
	// ErrBudget: the run's token budget cannot pay for the next request.
	ErrBudget = errors.New("token budget exhausted")
	// ErrSchema: the model's reply did not match the requested schema.
	ErrSchema = errors.New("reply does not match the schema")
)
