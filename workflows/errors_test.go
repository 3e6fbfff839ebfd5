package workflows

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/sources"
)

// A failure names the step once and leaves the reason to its cause: the
// run's error, and the one line its status shows, name the missing
// document at most twice, however many layers wrapped the source's error.
func TestMissingDocumentIsNamedOnce(t *testing.T) {
	h := newHarness(t)
	const doc = "editions/missing-doc.md"
	in := input()
	in.Source = "markdown:" + doc
	h.fetcher.Err = fmt.Errorf("fetch markdown:%s: %w", doc,
		fmt.Errorf("read markdown %s: %w: no such file or folder; check the path", doc, sources.ErrNotFound))
	h.env.ExecuteWorkflow(WorkflowName, in)
	err := h.env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activitytypes.ErrTypeDocumentNotFound {
		t.Fatalf("error %v, want %s", err, activitytypes.ErrTypeDocumentNotFound)
	}
	if n := strings.Count(err.Error(), doc); n > 2 {
		t.Errorf("the run's error names %s %d times, want at most 2:\n%s", doc, n, err)
	}
	st := h.status(t)
	if len(st.Errors) != 1 {
		t.Fatalf("status errors %q, want one", st.Errors)
	}
	line := st.Errors[0]
	if n := strings.Count(line, doc); n < 1 || n > 2 {
		t.Errorf("status error names %s %d times, want once or twice: %q", doc, n, line)
	}
	for _, want := range []string{"fetch document", "document not found", "check the path"} {
		if !strings.Contains(line, want) {
			t.Errorf("status error %q does not say %q", line, want)
		}
	}
	for _, noise := range []string{"\n", "type:", "retryable", "activity error", "scheduledEventID"} {
		if strings.Contains(line, noise) {
			t.Errorf("status error %q carries %q", line, noise)
		}
	}
}

func TestReason(t *testing.T) {
	notFound := temporal.NewNonRetryableApplicationError("fetch markdown:a.md: read markdown a.md: document not found", "DocumentNotFound", nil)
	timeout := temporal.NewTimeoutError(enumspb.TIMEOUT_TYPE_START_TO_CLOSE,
		temporal.NewApplicationError("crm send newsletter: HTTP 503", "ServiceUnavailable"))
	var timeoutErr *temporal.TimeoutError
	if !errors.As(timeout, &timeoutErr) || timeoutErr.Message() == "" {
		t.Fatalf("timeout %v has no message", timeout)
	}
	tests := []struct {
		name        string
		err         error
		op, subject string
		want        string
	}{
		{"subject named by the reason", notFound, "fetch document", "markdown:a.md",
			"fetch document: fetch markdown:a.md: read markdown a.md: document not found"},
		{"subject not named by the reason", notFound, "render edition", "2026-W48",
			"render edition 2026-W48: fetch markdown:a.md: read markdown a.md: document not found"},
		{"timeout with its last failure", timeout, "send newsletter", "",
			"send newsletter: " + timeoutErr.Message() + "; last failure: crm send newsletter: HTTP 503"},
		{"a failure recorded whole at every level", temporal.NewNonRetryableApplicationError(
			"fetch markdown:a.md: read markdown a.md: document not found", "DocumentNotFound",
			temporal.NewApplicationError("read markdown a.md: document not found", "wrapError")), "fetch document", "markdown:a.md",
			"fetch document: fetch markdown:a.md: read markdown a.md: document not found"},
		{"plain error", errors.New("boom"), "compare with the last edition", "",
			"compare with the last edition: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.subject != "" {
				err = stepErrorOn(tt.op, tt.subject, tt.err)
			} else {
				err = stepError(tt.op, tt.err)
			}
			if got := reason(err); got != tt.want {
				t.Errorf("reason = %q, want %q", got, tt.want)
			}
		})
	}
	var appErr *temporal.ApplicationError
	if err := stepError("send newsletter", timeout); !errors.As(err, &appErr) || appErr.Type() != ErrTypeStepFailed || !appErr.NonRetryable() {
		t.Errorf("a step failing with a timeout: %v, want non-retryable %s", err, ErrTypeStepFailed)
	}
}
