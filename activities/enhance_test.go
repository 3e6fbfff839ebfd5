package activities_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai"
	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/artifact/blobstore"
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

func planInput(t *testing.T, acts *activities.Activities) activitytypes.PlanInput {
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
	return activitytypes.PlanInput{Edition: "2026-W48", Parsed: p, Output: out}
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
	var plan activitytypes.SuggestPlan
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
	var offPlan activitytypes.SuggestPlan
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
		{"401", aifake.Step{Status: 401, Message: "Incorrect API key provided."}, ai.DefaultBudget, false, activitytypes.ErrTypeAIRejected, true, 0},
		{"403", aifake.Step{Status: 403, Message: "forbidden"}, ai.DefaultBudget, false, activitytypes.ErrTypeAIRejected, true, 0},
		{"404", aifake.Step{Status: 404, Message: "The model does not exist"}, ai.DefaultBudget, false, activitytypes.ErrTypeAIRejected, true, 0},
		{"400", aifake.Step{Status: 400, Message: "bad request"}, ai.DefaultBudget, false, activitytypes.ErrTypeAIRejected, false, 0},
		{"422", aifake.Step{Status: 422, Message: "unprocessable"}, ai.DefaultBudget, false, activitytypes.ErrTypeAIRejected, false, 0},
		{"429 Retry-After", aifake.Step{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, ai.DefaultBudget, true, activitytypes.ErrTypeAIRetryAfter, false, 7 * time.Second},
		{"503 Retry-After", aifake.Step{Status: 503, Header: http.Header{"Retry-After": {"2"}}}, ai.DefaultBudget, true, activitytypes.ErrTypeAIRetryAfter, false, 2 * time.Second},
		{"500", aifake.Step{Status: 500, Body: "boom"}, ai.DefaultBudget, true, "", false, 0},
		{"408", aifake.Step{Status: 408}, ai.DefaultBudget, true, "", false, 0},
		{"409", aifake.Step{Status: 409}, ai.DefaultBudget, true, "", false, 0},
		{"budget", aifake.Step{}, 10, false, activitytypes.ErrTypeAIBudget, false, 0},
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
			_, err = env.ExecuteActivity(acts.Enhance, activitytypes.EnhanceInput{Task: plan.Tasks[0], Budget: tt.budget})
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
			if got := activitytypes.AIFatal(err); got != tt.fatal {
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

// TestSuggestionsByReference: on the artifact store the plan reads the
// parsed document and rendered edition by reference, stores each request
// and names it; Enhance reads the request back. No prompt travels in an
// activity's input or result.
func TestSuggestionsByReference(t *testing.T) {
	fake := &aifake.Server{}
	acts := aiActivities(t, fake)
	store, err := blobstore.Open(t.Context(), "file://"+filepath.ToSlash(t.TempDir()), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	acts.Artifacts = store
	inline := planInput(t, acts)
	parsed, err := store.PutJSON(t.Context(), "2026-W48", artifact.MediaParsed, inline.Parsed)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := acts.RenderEditionArtifacts(t.Context(), activitytypes.RenderArtifactsInput{Parsed: parsed, Edition: "2026-W48"})
	if err != nil {
		t.Fatal(err)
	}
	manifest := sum.Manifest
	plan, err := acts.PlanSuggestions(t.Context(), activitytypes.PlanInput{Edition: "2026-W48", ParsedRef: &parsed, Manifest: &manifest})
	if err != nil {
		t.Fatal(err)
	}
	want, err := acts.PlanSuggestions(t.Context(), inline)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Tasks) != 0 || len(plan.TaskRefs) != len(want.Tasks) || len(plan.Sections) != len(want.Sections) {
		t.Fatalf("plan by reference: %d tasks inline, %d refs, %d sections; want 0, %d, %d", len(plan.Tasks), len(plan.TaskRefs), len(plan.Sections), len(want.Tasks), len(want.Sections))
	}
	var stored suggest.Task
	if err := store.GetJSON(t.Context(), plan.TaskRefs[0].Ref, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.ID != plan.TaskRefs[0].ID || stored.User != want.Tasks[0].User || stored.System != want.Tasks[0].System {
		t.Errorf("stored request %q differs from the inline plan's %q", stored.ID, want.Tasks[0].ID)
	}
	ref := plan.TaskRefs[0].Ref
	res, err := acts.Enhance(t.Context(), activitytypes.EnhanceInput{TaskRef: &ref, Budget: ai.DefaultBudget})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Suggestions) == 0 || len(fake.Requests()) != 1 {
		t.Errorf("Enhance by reference: %d suggestions, %d requests", len(res.Suggestions), len(fake.Requests()))
	}

	// A render with accepted suggestions is a new stored edition.
	subject := "A subject an approver accepted"
	again, err := acts.RenderEditionArtifacts(t.Context(), activitytypes.RenderArtifactsInput{Parsed: parsed, Edition: "2026-W48",
		Accepted: render.Overrides{Subject: subject}})
	if err != nil {
		t.Fatal(err)
	}
	if again.Manifest == sum.Manifest || again.ContentRevision == sum.ContentRevision || again.Subject() != subject {
		t.Errorf("accepted render: manifest %s (was %s), subject %q; want a new render with %q", again.Manifest.Hex(), sum.Manifest.Hex(), again.Subject(), subject)
	}
}
