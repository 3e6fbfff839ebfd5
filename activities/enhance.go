package activities

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/ai"
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

// Suggester is the worker's AI configuration.
type Suggester struct {
	Runner  *ai.Runner
	Prompts *ai.Prompts
	// Budget is the token budget of one edition.
	Budget int
	// TaskQueue is where Enhance runs, on a rate-limited worker of its own.
	TaskQueue string
}

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

// PlanSuggestions renders the prompts of every request for an edition.
// It runs on the main task queue, so it answers (disabled) even where no
// model and no AI worker exist.
func (a *Activities) PlanSuggestions(ctx context.Context, in PlanInput) (SuggestPlan, error) {
	if a.AI == nil {
		return SuggestPlan{}, nil
	}
	stored := in.ParsedRef != nil && in.Manifest != nil
	if stored {
		p, err := a.loadParsed(ctx, *in.ParsedRef)
		if err != nil {
			return SuggestPlan{}, err
		}
		out, err := LoadOutput(ctx, a.Artifacts, *in.Manifest)
		if err != nil {
			return SuggestPlan{}, artifactError(err)
		}
		in.Parsed, in.Output = p, out
	}
	tasks, err := a.AI.Prompts.Plan(ai.Edition{ID: in.Edition, Parsed: in.Parsed, Output: in.Output})
	if err != nil {
		return SuggestPlan{}, nonRetryable(ErrTypeRender, fmt.Errorf("suggestion prompts: %w", err))
	}
	sections := suggest.Sections(in.Parsed)
	for i := range sections {
		sections[i].Text = "" // the prompts hold it, and Digest stands for it
	}
	plan := SuggestPlan{
		Enabled: true, Model: a.AI.Runner.Model.Name(), Budget: a.AI.Budget,
		TaskQueue: a.AI.TaskQueue, Tasks: tasks, Sections: sections,
	}
	if stored {
		plan.Tasks = nil
		for _, t := range tasks {
			ref, err := a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaAITask, t)
			if err != nil {
				return SuggestPlan{}, fmt.Errorf("store suggestion request %s: %w", t.ID, err)
			}
			plan.TaskRefs = append(plan.TaskRefs, TaskRef{ID: t.ID, Ref: ref})
		}
	}
	return plan, nil
}

// EnhanceInput is one request and what the edition's budget has left.
type EnhanceInput struct {
	Task suggest.Task `json:"task"`
	// TaskRef, when set, names the stored request instead of Task.
	TaskRef *artifact.Ref `json:"task_ref,omitempty"`
	Budget  int           `json:"budget"`
}

// Enhance makes one request to the model. Refusals (400, 401, 403, 404,
// 422) and an exhausted budget do not retry; 408, 409, 429 and 5xx retry,
// after the server's Retry-After when it sent one.
func (a *Activities) Enhance(ctx context.Context, in EnhanceInput) (suggest.Result, error) {
	if a.AI == nil {
		return suggest.Result{}, nonRetryable(ErrTypeAIRejected, errors.New("this worker has no model: set AI_MODEL on the workers of the AI task queue"))
	}
	if in.TaskRef != nil {
		if a.Artifacts == nil {
			return suggest.Result{}, nonRetryable(ErrTypeArtifact, errors.New("this worker has no artifact store: set ARTIFACT_STORE_URL on the workers of the AI task queue to the main workers' store"))
		}
		if err := a.Artifacts.GetJSON(ctx, *in.TaskRef, &in.Task); err != nil {
			return suggest.Result{}, artifactError(err)
		}
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
