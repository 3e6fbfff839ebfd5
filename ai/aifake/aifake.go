// Package aifake is an OpenAI-compatible Chat Completions server for tests
// and the demo: it answers POST .../chat/completions as the real API does
// (choices, usage, error bodies), with scripted replies or fixed
// suggestions chosen by the requested response format's name.
package aifake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Step is one scripted reply. Status 0 means 200 with Content as the
// assistant message; any other status sends Body (or an OpenAI-style error
// body with Message) with Header.
type Step struct {
	Status  int
	Header  http.Header
	Body    string
	Message string
	Content string
}

// Request is what the server recorded of one request.
type Request struct {
	Model      string
	SchemaName string
	System     string
	User       string
	MaxTokens  int
	Auth       string
	// Schema is the response format's JSON schema as sent.
	Schema json.RawMessage
	Strict bool
}

// Server is the fake. The zero value answers every request with Fixed.
type Server struct {
	// Key, when set, is the API key requests must carry.
	Key string
	// Delay is waited before every reply.
	Delay time.Duration

	mu       sync.Mutex
	script   []Step
	requests []Request
}

// Push queues scripted replies, served in order before Fixed ones.
func (s *Server) Push(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, steps...)
}

// Requests returns what was received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	ResponseFormat struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict bool            `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
	MaxCompletionTokens int `json:"max_completion_tokens"`
}

// ServeHTTP answers Chat Completions requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", fmt.Sprintf("Unknown request URL: %s %s", r.Method, r.URL.Path))
		return
	}
	if s.Delay > 0 {
		time.Sleep(s.Delay)
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "We could not parse the JSON body of your request: "+err.Error())
		return
	}
	rec := Request{Model: req.Model, SchemaName: req.ResponseFormat.JSONSchema.Name, MaxTokens: req.MaxCompletionTokens, Auth: r.Header.Get("Authorization"),
		Schema: req.ResponseFormat.JSONSchema.Schema, Strict: req.ResponseFormat.JSONSchema.Strict}
	for _, m := range req.Messages {
		switch m.Role {
		case "system", "developer":
			rec.System += m.Content
		case "user":
			rec.User += m.Content
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	if s.Key != "" && rec.Auth != "Bearer "+s.Key {
		s.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
		return
	}
	var step Step
	if len(s.script) > 0 {
		step, s.script = s.script[0], s.script[1:]
	} else {
		step = Step{Content: Fixed(rec.SchemaName)}
	}
	s.mu.Unlock()

	if req.ResponseFormat.Type != "json_schema" || len(req.ResponseFormat.JSONSchema.Schema) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_response_format", "response_format must be json_schema with a schema")
		return
	}
	if step.Status != 0 && step.Status != http.StatusOK {
		for k, vs := range step.Header {
			w.Header()[k] = vs
		}
		if step.Body != "" {
			w.WriteHeader(step.Status)
			fmt.Fprint(w, step.Body)
			return
		}
		writeError(w, step.Status, errorType(step.Status), "", step.Message)
		return
	}
	prompt := (len(rec.System) + len(rec.User)) / 4
	completion := len(step.Content)/4 + 1
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{
			"index": 0, "finish_reason": "stop", "logprobs": nil,
			"message": map[string]any{"role": "assistant", "content": step.Content, "refusal": nil},
		}},
		"usage": map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	})
}

func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_request_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var c any
	if code != "" {
		c = code
	}
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}

// Fixed returns the fixed suggestions for a response format name
// ("contentgen_email", "contentgen_summary", "contentgen_social",
// "contentgen_check").
func Fixed(schemaName string) string {
	switch strings.TrimPrefix(schemaName, "contentgen_") {
	case "email":
		return `{"subjects":["Breathe easier this week: what is new at Halcytone","Three things to try before bed tonight","This week: a calmer evening, a longer battery, one small habit"],"preheader":"New features, a firmware beta and a habit worth trying, in a three-minute read."}`
	case "summary":
		return `{"summary":"What changed in this part of the edition, in one short paragraph for readers who only see the teaser."}`
	case "social":
		return `{"posts":{"x":"New this week at Halcytone: calmer evenings and a longer-lasting sensor.","bluesky":"New this week at Halcytone: calmer evenings, a longer-lasting sensor and one small habit to try.","mastodon":"This week at Halcytone: calmer evenings, a longer-lasting sensor, and a small bedtime habit worth trying. The whole edition:","linkedin":"This week at Halcytone we shipped calmer evenings for everyone, opened a firmware beta that makes the sensor last longer, and shared one small habit that helps before bed. Read the whole edition:"}}`
	case "check":
		return `{"findings":[{"kind":"jargon","quote":"firmware","note":"Say \"sensor software\" for readers who do not know the word."}]}`
	}
	return `{}`
}
