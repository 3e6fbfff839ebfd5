package e2e

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/internal/devserver"
	"github.com/halcytone/contentgen/workflows"
)

// awaitingApprovalQuery lists the runs waiting for a decision, in the Web
// UI's search box or `temporal workflow list --query`.
const awaitingApprovalQuery = workflows.SearchAttrStatus + `="` + workflows.StageAwaitingApproval + `"`

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// waitListed waits until visibility lists exactly want for query.
func waitListed(t *testing.T, c client.Client, query string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var got []string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		cancel()
		if err == nil {
			got = got[:0]
			for _, e := range resp.GetExecutions() {
				got = append(got, e.GetExecution().GetWorkflowId())
			}
			if strings.Join(got, ",") == strings.Join(want, ",") {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s lists %v, want %v", query, got, want)
}

func TestWebUIListsRunsAwaitingApproval(t *testing.T) {
	browsertest.Chromium(t)
	uiPort := freePort(t)
	s := startStack(t, stackOptions{dev: devserver.Options{UI: true, UIPort: uiPort}})

	waiting := startEdition(t, s, "2026-W43")
	decided := startEdition(t, s, "2026-W44")
	waitStage(t, s.temporal, waiting, workflows.StageAwaitingApproval)
	waitStage(t, s.temporal, decided, workflows.StageAwaitingApproval)
	tok := s.mint(t, decided, "bo@example.com", workflows.SignalReject)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", decided, "--name", workflows.SignalReject, "--input", `{"by":"bo@example.com","reason":"not this week","token":"`+tok+`"}`)
	if res := result(t, s, decided); res.Outcome != workflows.OutcomeRejected {
		t.Fatalf("%s outcome %q, want rejected", decided, res.Outcome)
	}
	waitListed(t, s.temporal, awaitingApprovalQuery, waiting)

	// The UI is a single-page application: its list appears once its
	// scripts have queried the server, within the virtual time budget.
	page := fmt.Sprintf("http://127.0.0.1:%s/namespaces/default/workflows?query=%s", uiPort, url.QueryEscape(awaitingApprovalQuery))
	shot, dom := browsertest.Capture(t, page, "awaiting-approval.png", 1280, 900,
		browsertest.VirtualTimeBudget(15*time.Second), browsertest.Timeout(45*time.Second))
	if !strings.Contains(dom, waiting) {
		t.Errorf("Web UI list for %s lacks %s (screenshot %s)", awaitingApprovalQuery, waiting, shot)
	}
	if strings.Contains(dom, decided) {
		t.Errorf("Web UI list for %s shows the rejected %s (screenshot %s)", awaitingApprovalQuery, decided, shot)
	}
	if !strings.Contains(dom, workflows.WorkflowName) {
		t.Errorf("Web UI list lacks the workflow type %s (screenshot %s)", workflows.WorkflowName, shot)
	}
}
