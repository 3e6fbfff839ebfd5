package activities_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/ai"
	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

// aiActivities returns activities whose model is the fake, reached over
// plain http://127.0.0.1 through the OpenAI client.
func aiActivities(t *testing.T, fake *aifake.Server) *activities.Activities {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	m, err := ai.NewOpenAI(ai.Options{BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	prompts, err := ai.LoadPrompts("")
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &activities.Activities{Renderer: r, WebBaseURL: "https://halcytone.example", AI: &activities.Suggester{
		Runner: &ai.Runner{Model: m}, Prompts: prompts, Budget: ai.DefaultBudget, TaskQueue: "newsletter-ai",
	}}
}

func planInput(t *testing.T, acts *activities.Activities) activities.PlanInput {
	t.Helper()
	src, err := os.ReadFile("../examples/living-document.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := markdown.Convert(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	out, err := acts.Renderer.Render(p, render.Edition{ID: "2026-W48", WebBaseURL: acts.WebBaseURL})
	if err != nil {
		t.Fatal(err)
	}
	return activities.PlanInput{Edition: "2026-W48", Parsed: p, Output: out}
}

func TestPlanSuggestions(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	acts := aiActivities(t, &aifake.Server{})
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	v, err := env.ExecuteActivity(acts.PlanSuggestions, planInput(t, acts))
	if err != nil {
		t.Fatal(err)
	}
	var plan activities.SuggestPlan
	if err := v.Get(&plan); err != nil {
		t.Fatal(err)
	}
	if !plan.Enabled || plan.Model != "test-model" || plan.TaskQueue != "newsletter-ai" || len(plan.Tasks) != 7 || len(plan.Sections) != 4 {
		t.Errorf("plan: enabled %v model %q queue %q, %d tasks, %d sections", plan.Enabled, plan.Model, plan.TaskQueue, len(plan.Tasks), len(plan.Sections))
	}

	// No model: disabled, and nothing is asked.
	off := &activities.Activities{Renderer: acts.Renderer}
	env = s.NewTestActivityEnvironment()
	env.RegisterActivity(off)
	v, err = env.ExecuteActivity(off.PlanSuggestions, planInput(t, acts))
	if err != nil {
		t.Fatal(err)
	}
	var offPlan activities.SuggestPlan
	if err := v.Get(&offPlan); err != nil || offPlan.Enabled || len(offPlan.Tasks) != 0 {
		t.Errorf("plan without a model: %+v, %v", offPlan, err)
	}
}

func TestEnhanceRetryPolicyFollowsTheStatus(t *testing.T) {
	tests := []struct {
		name       string
		step       aifake.Step
		budget     int
		retryable  bool
		errType    string
		fatal      bool
		retryAfter time.Duration
	}{
		{"401", aifake.Step{Status: 401, Message: "Incorrect API key provided."}, ai.DefaultBudget, false, activities.ErrTypeAIRejected, true, 0},
		{"403", aifake.Step{Status: 403, Message: "forbidden"}, ai.DefaultBudget, false, activities.ErrTypeAIRejected, true, 0},
		{"404", aifake.Step{Status: 404, Message: "The model does not exist"}, ai.DefaultBudget, false, activities.ErrTypeAIRejected, true, 0},
		{"400", aifake.Step{Status: 400, Message: "bad request"}, ai.DefaultBudget, false, activities.ErrTypeAIRejected, false, 0},
		{"422", aifake.Step{Status: 422, Message: "unprocessable"}, ai.DefaultBudget, false, activities.ErrTypeAIRejected, false, 0},
		{"429 Retry-After", aifake.Step{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, ai.DefaultBudget, true, activities.ErrTypeAIRetryAfter, false, 7 * time.Second},
		{"503 Retry-After", aifake.Step{Status: 503, Header: http.Header{"Retry-After": {"2"}}}, ai.DefaultBudget, true, activities.ErrTypeAIRetryAfter, false, 2 * time.Second},
		{"500", aifake.Step{Status: 500, Body: "boom"}, ai.DefaultBudget, true, "", false, 0},
		{"408", aifake.Step{Status: 408}, ai.DefaultBudget, true, "", false, 0},
		{"409", aifake.Step{Status: 409}, ai.DefaultBudget, true, "", false, 0},
		{"budget", aifake.Step{}, 10, false, activities.ErrTypeAIBudget, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &aifake.Server{}
			fake.Push(tt.step)
			acts := aiActivities(t, fake)
			plan, err := acts.PlanSuggestions(t.Context(), planInput(t, acts))
			if err != nil {
				t.Fatal(err)
			}
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			env.RegisterActivity(acts)
			_, err = env.ExecuteActivity(acts.Enhance, activities.EnhanceInput{Task: plan.Tasks[0], Budget: tt.budget})
			if err == nil {
				t.Fatal("no error")
			}
			var app *temporal.ApplicationError
			isApp := errors.As(err, &app)
			if retryable := !isApp || !app.NonRetryable(); retryable != tt.retryable {
				t.Errorf("retryable = %v, want %v (%v)", retryable, tt.retryable, err)
			}
			if tt.errType != "" && (!isApp || app.Type() != tt.errType) {
				t.Errorf("error %v, want type %s", err, tt.errType)
			}
			if tt.retryAfter > 0 && (!isApp || app.NextRetryDelay() != tt.retryAfter) {
				t.Errorf("next retry delay %v, want %v", app.NextRetryDelay(), tt.retryAfter)
			}
			if got := activities.AIFatal(err); got != tt.fatal {
				t.Errorf("AIFatal = %v, want %v", got, tt.fatal)
			}
			wantRequests := 1
			if tt.name == "budget" {
				wantRequests = 0
			}
			if n := len(fake.Requests()); n != wantRequests {
				t.Errorf("%d requests, want %d (the client must not retry by itself)", n, wantRequests)
			}
		})
	}
}
