package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
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

// PlanSuggestions renders the prompts of every request for an edition.
// It runs on the main task queue, so it answers (disabled) even where no
// model and no AI worker exist.
func (a *Activities) PlanSuggestions(ctx context.Context, in activitytypes.PlanInput) (activitytypes.SuggestPlan, error) {
	if a.AI == nil {
		return activitytypes.SuggestPlan{}, nil
	}
	stored := in.ParsedRef != nil && in.Manifest != nil
	if stored {
		p, err := a.loadParsed(ctx, *in.ParsedRef)
		if err != nil {
			return activitytypes.SuggestPlan{}, err
		}
		out, err := LoadOutput(ctx, a.Artifacts, *in.Manifest)
		if err != nil {
			return activitytypes.SuggestPlan{}, artifactError(err)
		}
		in.Parsed, in.Output = p, out
	}
	tasks, err := a.AI.Prompts.Plan(ai.Edition{ID: in.Edition, Parsed: in.Parsed, Output: in.Output})
	if err != nil {
		return activitytypes.SuggestPlan{}, nonRetryable(activitytypes.ErrTypeRender, fmt.Errorf("suggestion prompts: %w", err))
	}
	sections := suggest.Sections(in.Parsed)
	for i := range sections {
		sections[i].Text = "" // the prompts hold it, and Digest stands for it
	}
	plan := activitytypes.SuggestPlan{
		Enabled: true, Model: a.AI.Runner.Model.Name(), Budget: a.AI.Budget,
		TaskQueue: a.AI.TaskQueue, Tasks: tasks, Sections: sections,
	}
	if stored {
		plan.Tasks = nil
		for _, t := range tasks {
			ref, err := a.Artifacts.PutJSON(ctx, in.Edition, artifact.MediaAITask, t)
			if err != nil {
				return activitytypes.SuggestPlan{}, fmt.Errorf("store suggestion request %s: %w", t.ID, err)
			}
			plan.TaskRefs = append(plan.TaskRefs, activitytypes.TaskRef{ID: t.ID, Ref: ref})
		}
	}
	return plan, nil
}

// Enhance makes one request to the model. Refusals (400, 401, 403, 404,
// 422) and an exhausted budget do not retry; 408, 409, 429 and 5xx retry,
// after the server's Retry-After when it sent one.
func (a *Activities) Enhance(ctx context.Context, in activitytypes.EnhanceInput) (suggest.Result, error) {
	if a.AI == nil {
		return suggest.Result{}, nonRetryable(activitytypes.ErrTypeAIRejected, errors.New("this worker has no model: set AI_MODEL on the workers of the AI task queue"))
	}
	if in.TaskRef != nil {
		if a.Artifacts == nil {
			return suggest.Result{}, nonRetryable(activitytypes.ErrTypeArtifact, errors.New("this worker has no artifact store: set ARTIFACT_STORE_URL on the workers of the AI task queue to the main workers' store"))
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
		return nonRetryable(activitytypes.ErrTypeAIBudget, err)
	case errors.As(err, &api) && !api.Retryable():
		return temporal.NewNonRetryableApplicationError(err.Error(), activitytypes.ErrTypeAIRejected, err, api.Status)
	case errors.As(err, &api) && api.RetryAfter > 0:
		return temporal.NewApplicationErrorWithOptions(err.Error(), activitytypes.ErrTypeAIRetryAfter,
			temporal.ApplicationErrorOptions{NextRetryDelay: api.RetryAfter, Cause: err, Details: []any{api.Status}})
	}
	return err
}
