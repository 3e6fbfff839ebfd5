package telemetry

import (
	"time"

	"go.temporal.io/sdk/client"
)

// The product's own metrics, as names the Temporal metrics handler takes.
// The Prometheus exporter adds _total to counters and _seconds to timers:
// newsletter_messages_total{result}, newsletter_editions_total{outcome},
// newsletter_approval_wait_seconds{outcome}.
const (
	// MetricMessages counts newsletter messages the CRM answered for, by
	// TagResult.
	MetricMessages = "newsletter_messages"
	// MetricEditions counts finished runs by TagOutcome.
	MetricEditions = "newsletter_editions"
	// MetricApprovalWait is the time from an edition awaiting approval to
	// its decision (or expiry), by TagOutcome.
	MetricApprovalWait = "newsletter_approval_wait"
	// MetricAITokens counts model tokens by TagKind (prompt, completion).
	MetricAITokens = "newsletter_ai_tokens"
	// MetricAIRequests counts suggestion requests by TagResult: answered
	// by the model, from the cache, or failed.
	MetricAIRequests = "newsletter_ai_requests"
)

// Tags of the product's metrics and the values of TagResult.
const (
	TagResult  = "result"
	TagOutcome = "outcome"

	ResultAccepted  = "accepted"
	ResultDuplicate = "duplicate"
	ResultRejected  = "rejected"

	TagKind        = "kind"
	KindPrompt     = "prompt"
	KindCompletion = "completion"
	ResultModel    = "model"
	ResultCached   = "cached"
	ResultFailed   = "failed"
)

// Recorder records the product's measurements. Activities and workflow
// interceptors get one from their Temporal metrics handler, so the
// product's metrics go where the SDK's go and, in workflow code, are not
// recorded again on replay.
type Recorder interface {
	// Messages counts one send's replies from the CRM.
	Messages(accepted, duplicate, rejected int)
	// Edition counts a finished run by outcome.
	Edition(outcome string)
	// ApprovalWait records how long an edition waited for its decision.
	ApprovalWait(d time.Duration, outcome string)
	// AIUsage counts one suggestion request's tokens and how it was
	// answered; failed marks a request that failed.
	AIUsage(promptTokens, completionTokens, requests, cached int, failed bool)
}

// NewRecorder returns a Recorder over h: activity.GetMetricsHandler(ctx) or
// workflow.GetMetricsHandler(ctx). A nil h records nothing.
func NewRecorder(h client.MetricsHandler) Recorder {
	if h == nil {
		h = client.MetricsNopHandler
	}
	return handlerRecorder{h: h}
}

type handlerRecorder struct{ h client.MetricsHandler }

// Messages adds zero too, so every result series exists from the first
// send and rate() over it is defined.
func (r handlerRecorder) Messages(accepted, duplicate, rejected int) {
	for _, m := range []struct {
		result string
		n      int
	}{{ResultAccepted, accepted}, {ResultDuplicate, duplicate}, {ResultRejected, rejected}} {
		r.h.WithTags(map[string]string{TagResult: m.result}).Counter(MetricMessages).Inc(int64(max(m.n, 0)))
	}
}

func (r handlerRecorder) Edition(outcome string) {
	r.h.WithTags(map[string]string{TagOutcome: outcome}).Counter(MetricEditions).Inc(1)
}

func (r handlerRecorder) ApprovalWait(d time.Duration, outcome string) {
	r.h.WithTags(map[string]string{TagOutcome: outcome}).Timer(MetricApprovalWait).Record(max(d, 0))
}

func (r handlerRecorder) AIUsage(promptTokens, completionTokens, requests, cached int, failed bool) {
	r.h.WithTags(map[string]string{TagKind: KindPrompt}).Counter(MetricAITokens).Inc(int64(max(promptTokens, 0)))
	r.h.WithTags(map[string]string{TagKind: KindCompletion}).Counter(MetricAITokens).Inc(int64(max(completionTokens, 0)))
	r.h.WithTags(map[string]string{TagResult: ResultModel}).Counter(MetricAIRequests).Inc(int64(max(requests, 0)))
	r.h.WithTags(map[string]string{TagResult: ResultCached}).Counter(MetricAIRequests).Inc(int64(max(cached, 0)))
	if failed {
		r.h.WithTags(map[string]string{TagResult: ResultFailed}).Counter(MetricAIRequests).Inc(1)
	}
}
