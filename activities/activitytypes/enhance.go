package activitytypes

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// Error types of the suggestion activities.
const (
	// ErrTypeAIRejected: the model server refused the request (400, 401,
	// 403, 404, 422); the same request fails again. Details: the status.
	ErrTypeAIRejected = "AIRequestRejected"
	// ErrTypeAIBudget: the edition's token budget cannot pay for the request.
	ErrTypeAIBudget = "AIBudgetExhausted"
	// ErrTypeAIRetryAfter: the server asked to come back later (429, 503…).
	ErrTypeAIRetryAfter = "AIRetryAfter"
)

// PlanInput is a rendered edition to make suggestions for: inline
// (Parsed, Output) for runs from before the artifact store, else by
// reference (ParsedRef, Manifest).
type PlanInput struct {
	Edition string         `json:"edition"`
	Parsed  content.Parsed `json:"parsed"`
	Output  render.Output  `json:"output"`
	// ParsedRef, when set, names the parsed document in the artifact
	// store instead of Parsed.
	ParsedRef *artifact.Ref `json:"parsed_ref,omitempty"`
	// Manifest, when set, names the rendered edition in the artifact
	// store instead of Output. The plan's tasks are then stored too and
	// the plan names them (TaskRefs), so no prompt enters history.
	Manifest *artifact.Ref `json:"manifest,omitempty"`
}

// TaskRef is one stored request of a plan.
type TaskRef struct {
	ID  string       `json:"id"`
	Ref artifact.Ref `json:"ref"`
}

// SuggestPlan is the requests to make, one Enhance each. Enabled is false
// when the worker has no model configured: then nothing is asked.
type SuggestPlan struct {
	Enabled   bool           `json:"enabled"`
	Model     string         `json:"model,omitempty"`
	Budget    int            `json:"budget,omitempty"`
	TaskQueue string         `json:"task_queue,omitempty"`
	Tasks     []suggest.Task `json:"tasks,omitempty"`
	// TaskRefs name the stored requests, in place of Tasks, when the
	// input named the edition by reference.
	TaskRefs []TaskRef `json:"task_refs,omitempty"`
	// Sections are the edition's sections, to apply accepted summaries.
	Sections []suggest.SectionText `json:"sections,omitempty"`
}

// EnhanceInput is one request and what the edition's budget has left.
type EnhanceInput struct {
	Task suggest.Task `json:"task"`
	// TaskRef, when set, names the stored request instead of Task.
	TaskRef *artifact.Ref `json:"task_ref,omitempty"`
	Budget  int           `json:"budget"`
}

// AIFatal reports whether an Enhance error will fail every later request
// too: the server refused the key or knows no such model.
func AIFatal(err error) bool {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrTypeAIRejected || !app.HasDetails() {
		return false
	}
	var status int
	if app.Details(&status) != nil {
		return false
	}
	// The model server's HTTP status: unauthorized, forbidden, not found.
	switch status {
	case 401, 403, 404:
		return true
	}
	return false
}
