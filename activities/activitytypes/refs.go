package activitytypes

import (
	"reflect"

	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// Activity names an activity the worker registers, with its input and
// result types, so a workflow calls it by name and the compiler still
// checks what goes in and comes out.
type Activity[In, Out any] struct {
	// Name is the registered name: the method's name on
	// activities.Activities.
	Name string
}

// None is the input of an activity that takes none, or the result of one
// that returns only an error.
type None struct{}

// Execute schedules the activity with in; ctx carries its options.
func (a Activity[In, Out]) Execute(ctx workflow.Context, in In) Future[Out] {
	var args []any
	if _, none := any(in).(None); !none {
		args = []any{in}
	}
	return Future[Out]{workflow.ExecuteActivity(ctx, a.Name, args...)}
}

// ActivityName is the registered name.
func (a Activity[In, Out]) ActivityName() string { return a.Name }

// Types are the Go types of the input and the result (None for either
// when there is none).
func (a Activity[In, Out]) Types() (in, out reflect.Type) {
	return reflect.TypeFor[In](), reflect.TypeFor[Out]()
}

// Future is a scheduled activity's result.
type Future[Out any] struct {
	workflow.Future
}

// Get blocks until the activity ends and decodes its result into out
// (nil discards it).
func (f Future[Out]) Get(ctx workflow.Context, out *Out) error {
	if out == nil {
		return f.Future.Get(ctx, nil)
	}
	return f.Future.Get(ctx, out)
}

// Ref is any activity reference, for listing them.
type Ref interface {
	ActivityName() string
	Types() (in, out reflect.Type)
}

// The activities, by their registered names.
var (
	FetchDocument          = Activity[FetchInput, content.Document]{Name: "FetchDocument"}
	ParseDocument          = Activity[ParseInput, content.Parsed]{Name: "ParseDocument"}
	DetectChanges          = Activity[DetectInput, DetectResult]{Name: "DetectChanges"}
	FetchStats             = Activity[None, []render.Stat]{Name: "FetchStats"}
	RenderEdition          = Activity[RenderInput, render.Output]{Name: "RenderEdition"}
	FetchAndParse          = Activity[DocumentInput, DocumentSummary]{Name: "FetchAndParse"}
	PrepareEdition         = Activity[PrepareInput, PrepareResult]{Name: "PrepareEdition"}
	RenderEditionArtifacts = Activity[RenderArtifactsInput, RenderSummary]{Name: "RenderEditionArtifacts"}
	PlanSuggestions        = Activity[PlanInput, SuggestPlan]{Name: "PlanSuggestions"}
	Enhance                = Activity[EnhanceInput, suggest.Result]{Name: "Enhance"}
	ReadLastEdition        = Activity[LastEditionInput, LastEditionResult]{Name: "ReadLastEdition"}
	SendProof              = Activity[ProofInput, ProofResult]{Name: "SendProof"}
	VerifyApproval         = Activity[VerifyInput, VerifyResult]{Name: "VerifyApproval"}
	NotifyChangesRequested = Activity[ChangesRequestedInput, ProofResult]{Name: "NotifyChangesRequested"}
	PublishUpdate          = Activity[PublishInput, PublishResult]{Name: "PublishUpdate"}
	SendNewsletter         = Activity[SendInput, SendResult]{Name: "SendNewsletter"}
	ListSendGroups         = Activity[SendGroupsInput, SendGroupsResult]{Name: "ListSendGroups"}
	ReportUnsent           = Activity[UnsentInput, UnsentReport]{Name: "ReportUnsent"}
	TestSend               = Activity[TestSendInput, TestSendResult]{Name: "TestSend"}
	PostSocial             = Activity[SocialPostInput, SocialPost]{Name: "PostSocial"}
	DeleteSocialPost       = Activity[SocialDeleteInput, None]{Name: "DeleteSocialPost"}
	CheckRevision          = Activity[RevisionInput, RevisionResult]{Name: "CheckRevision"}
	RefreshEdition         = Activity[RefreshEditionInput, RefreshEditionResult]{Name: "RefreshEdition"}
	PruneArtifacts         = Activity[PruneInput, artifact.PruneReport]{Name: "PruneArtifacts"}
)

// All lists every activity reference, for the test that the worker
// registers each under its name with these types.
func All() []Ref {
	return []Ref{FetchDocument, ParseDocument, DetectChanges, FetchStats, RenderEdition, FetchAndParse,
		PrepareEdition, RenderEditionArtifacts, PlanSuggestions, Enhance, ReadLastEdition, SendProof,
		VerifyApproval, NotifyChangesRequested, PublishUpdate, SendNewsletter, ListSendGroups, ReportUnsent, TestSend,
		PostSocial, DeleteSocialPost, CheckRevision, RefreshEdition, PruneArtifacts}
}
