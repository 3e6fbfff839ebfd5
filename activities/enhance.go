package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/ai"
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

// Suggester is the worker's AI configuration.
type Suggester struct {
	Runner  *ai.Runner
	Prompts *ai.Prompts
	// Budget is the token budget of one edition.
	Budget int
	// TaskQueue is where Enhance runs, on a rate-limited worker of its own.
	TaskQueue string
}

// PlanInput is a rendered edition to make suggestions for.
type PlanInput struct {
	Edition string         `json:"edition"`
	Parsed  content.Parsed `json:"parsed"`
	Output  render.Output  `json:"output"`
}

// SuggestPlan is the requests to make, one Enhance each. Enabled is false
// when the worker has no model configured: then nothing is asked.
type SuggestPlan struct {
	Enabled   bool      `json:"enabled"`
	Model     string    `json:"model,omitempty"`
	Budget    int       `json:"budget,omitempty"`
	TaskQueue string    `json:"task_queue,omitempty"`
	Tasks     []ai.Task `json:"tasks,omitempty"`
	// Sections are the edition's sections, to apply accepted summaries.
	Sections []ai.SectionText `json:"sections,omitempty"`
}

// PlanSuggestions renders the prompts of every request for an edition.
// It runs on the main task queue, so it answers (disabled) even where no
// model and no AI worker exist.
func (a *Activities) PlanSuggestions(ctx context.Context, in PlanInput) (SuggestPlan, error) {
	if a.AI == nil {
		return SuggestPlan{}, nil
	}
	tasks, err := a.AI.Prompts.Plan(ai.Edition{ID: in.Edition, Parsed: in.Parsed, Output: in.Output})
	if err != nil {
		return SuggestPlan{}, nonRetryable(ErrTypeRender, fmt.Errorf("suggestion prompts: %w", err))
	}
	sections := ai.Sections(in.Parsed)
	for i := range sections {
		sections[i].Text = "" // the prompts hold it; history need not twice
	}
	return SuggestPlan{
		Enabled: true, Model: a.AI.Runner.Model.Name(), Budget: a.AI.Budget,
		TaskQueue: a.AI.TaskQueue, Tasks: tasks, Sections: sections,
	}, nil
}

// EnhanceInput is one request and what the edition's budget has left.
type EnhanceInput struct {
	Task   ai.Task `json:"task"`
	Budget int     `json:"budget"`
}

// Enhance makes one request to the model. Refusals (400, 401, 403, 404,
// 422) and an exhausted budget do not retry; 408, 409, 429 and 5xx retry,
// after the server's Retry-After when it sent one.
func (a *Activities) Enhance(ctx context.Context, in EnhanceInput) (ai.Result, error) {
	if a.AI == nil {
		return ai.Result{}, nonRetryable(ErrTypeAIRejected, errors.New("this worker has no model: set AI_MODEL on the workers of the AI task queue"))
	}
	res, err := a.AI.Runner.Do(ctx, in.Task, in.Budget)
	if err != nil {
		return res, classifyAI(err)
	}
	for _, w := range res.Warnings {
		activity.GetLogger(ctx).Warn("suggestion dropped", "task", in.Task.ID, "warning", w)
	}
	return res, nil
}

func classifyAI(err error) error {
	var api *ai.APIError
	switch {
	case errors.Is(err, ai.ErrBudget):
		return nonRetryable(ErrTypeAIBudget, err)
	case errors.As(err, &api) && !api.Retryable():
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeAIRejected, err, api.Status)
	case errors.As(err, &api) && api.RetryAfter > 0:
		return temporal.NewApplicationErrorWithOptions(err.Error(), ErrTypeAIRetryAfter,
			temporal.ApplicationErrorOptions{NextRetryDelay: api.RetryAfter, Cause: err, Details: []any{api.Status}})
	}
	return err
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
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
}
