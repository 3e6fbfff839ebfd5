package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
)

// A run whose Markdown document is missing fails at once, and the
// starter's status says so in one line that names the document at most
// twice, gives the reason and the fix; --verbose adds the whole chain.
func TestStatusOfAMissingDocumentIsOneLine(t *testing.T) {
	s := startStack(t, stackOptions{})
	const doc = "examples/missing-doc.md"
	starter(t, s, "start", "--edition", "2026-W30", "--source", "markdown:"+doc, "--approvers", "ana@example.com")
	id := "newsletter-2026-W30"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runErr := s.temporal.GetWorkflow(ctx, id, "").Get(ctx, nil)
	if runErr == nil || !strings.Contains(runErr.Error(), activitytypes.ErrTypeDocumentNotFound) {
		t.Fatalf("run %s: %v, want a %s failure", id, runErr, activitytypes.ErrTypeDocumentNotFound)
	}
	recordHistory(t, s, id, "missing-document")

	out := starter(t, s, "status", "--workflow-id", id)
	var errLines []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "error: ") {
			errLines = append(errLines, line)
		}
	}
	if len(errLines) != 1 {
		t.Fatalf("status shows %d error lines, want 1:\n%s", len(errLines), out)
	}
	line := errLines[0]
	t.Logf("status: %s", line)
	if n := strings.Count(line, "missing-doc.md"); n < 1 || n > 2 {
		t.Errorf("the status error names missing-doc.md %d times, want once or twice: %s", n, line)
	}
	for _, want := range []string{"fetch document", "document not found", "check the path"} {
		if !strings.Contains(line, want) {
			t.Errorf("the status error does not say %q: %s", want, line)
		}
	}
	for _, noise := range []string{"type:", "retryable", "scheduledEventID", "identity"} {
		if strings.Contains(line, noise) {
			t.Errorf("the status error carries %q: %s", noise, line)
		}
	}

	verbose := starter(t, s, "status", "--workflow-id", id, "--verbose")
	var failure string
	for _, l := range strings.Split(verbose, "\n") {
		if strings.HasPrefix(l, "failure: ") {
			failure = l
		}
	}
	t.Logf("status --verbose: %s", failure)
	// Runs on the artifact store fetch, parse and render in one activity.
	for _, want := range []string{activitytypes.ErrTypeDocumentNotFound, "PrepareEdition", "document not found"} {
		if !strings.Contains(failure, want) {
			t.Errorf("--verbose failure line %q does not carry %q", failure, want)
		}
	}
	if n := strings.Count(failure, "missing-doc.md"); n > 2 {
		t.Errorf("the whole chain names missing-doc.md %d times, want at most 2: %s", n, failure)
	}
}
