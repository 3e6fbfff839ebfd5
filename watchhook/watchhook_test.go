package watchhook

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/halcytone/contentgen/workflows"
)

const (
	notionToken = "secret_tZ3kq9V2mL8xW4pN7rB1cD6fH0jY5sA"
	driveToken  = "drive-channel-7f3a9c1e"
	pageID      = "940fd74a-8b7d-44ad-b517-2009b87b2277"
)

// fakeTemporal records signals and lists running watchers, with the
// client's errors for a workflow that does not run.
type fakeTemporal struct {
	mu       sync.Mutex
	running  map[string]bool
	signals  []string // workflow ID/signal name
	pokes    []workflows.WatchPoke
	lastList string
}

func (f *fakeTemporal) SignalWorkflow(_ context.Context, id, _, name string, arg any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.running[id] {
		return serviceerror.NewNotFound("workflow not found for ID: " + id)
	}
	f.signals = append(f.signals, id+"/"+name)
	f.pokes = append(f.pokes, arg.(workflows.WatchPoke))
	return nil
}

func (f *fakeTemporal) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastList = req.GetQuery()
	resp := &workflowservice.ListWorkflowExecutionsResponse{}
	for id := range f.running {
		if strings.HasPrefix(id, "watch-gdocs:") {
			resp.Executions = append(resp.Executions, &workflowpb.WorkflowExecutionInfo{Execution: &common.WorkflowExecution{WorkflowId: id}})
		}
	}
	return resp, nil
}

func (f *fakeTemporal) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.signals...)
}

func serve(t *testing.T, cfg Config) (*httptest.Server, *fakeTemporal, *bytes.Buffer) {
	t.Helper()
	f := &fakeTemporal{running: map[string]bool{
		"watch-notion:" + pageID:                                true,
		"watch-gdocs:1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE": true,
		"watch-gdocs:1OtherDoc_aB3cD5eF7gH9iJ1kL3mN5oP":         true,
	}}
	var logs bytes.Buffer
	cfg.Temporal = f
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	srv := httptest.NewServer(New(cfg))
	t.Cleanup(srv.Close)
	return srv, f, &logs
}

func post(t *testing.T, url string, body string, headers map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// notionEventBody is a page.content_updated event as Notion sends it.
func notionEventBody(page string) string {
	return `{"id":"367cba44-b6f3-4c92-81e7-6a2e9659efd4","timestamp":"2026-11-24T16:43:12.000Z","workspace_id":"13950b26-c203-4f3b-b97d-93ec06319565",` +
		`"workspace_name":"Halcytone","subscription_id":"29d75c0d-5546-4414-8459-7b7a92f1fc4b","integration_id":"0ef104cd-477e-4a88-a3f8-b3d0a0ee2e6b",` +
		`"type":"page.content_updated","authors":[{"id":"c7c11cca-1d73-471d-9b6e-bdef51470190","type":"person"}],"attempt_number":1,` +
		`"entity":{"id":"` + page + `","type":"page"},"data":{"parent":{"id":"13950b26-c203-4f3b-b97d-93ec06319565","type":"space"},` +
		`"updated_blocks":[{"id":"153104cd-477e-809d-8dc4-ff2d96ae3090","type":"block"}]}}`
}

func TestNotionEventWithAGoodSignaturePokesTheWatcher(t *testing.T) {
	srv, f, _ := serve(t, Config{NotionVerificationToken: notionToken})
	body := notionEventBody(strings.ReplaceAll(pageID, "-", ""))
	code := post(t, srv.URL+NotionPath, body, map[string]string{HeaderNotionSignature: NotionSignature(notionToken, []byte(body))})
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	got := f.sent()
	if len(got) != 1 || got[0] != "watch-notion:"+pageID+"/"+workflows.SignalWatchCheck {
		t.Fatalf("signals %v, want the check signal to the page's watcher", got)
	}
	if p := f.pokes[0]; p.By != "notion" || p.Reason != "page.content_updated" {
		t.Errorf("poke %+v", p)
	}
}

func TestNotionEventWithABadSignatureIsRefused(t *testing.T) {
	srv, f, logs := serve(t, Config{NotionVerificationToken: notionToken})
	body := notionEventBody(pageID)
	for name, sig := range map[string]string{
		"other key":     NotionSignature("secret_someone_else", []byte(body)),
		"other body":    NotionSignature(notionToken, []byte(body+" ")),
		"no prefix":     strings.TrimPrefix(NotionSignature(notionToken, []byte(body)), "sha256="),
		"not hex":       "sha256=zz",
		"missing":       "",
		"empty sha256=": "sha256=",
	} {
		if code := post(t, srv.URL+NotionPath, body, map[string]string{HeaderNotionSignature: sig}); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, code)
		}
	}
	if got := f.sent(); len(got) != 0 {
		t.Errorf("signals %v after bad signatures", got)
	}
	if strings.Contains(logs.String(), notionToken) {
		t.Error("the verification token was logged")
	}
}

func TestNotionVerificationRequestIsLoggedNotPoked(t *testing.T) {
	srv, f, logs := serve(t, Config{})
	code := post(t, srv.URL+NotionPath, `{"verification_token":"secret_tZ3kq9V2mL8xW4pN7rB1cD6fH0jY5sA"}`, nil)
	if code != http.StatusOK || len(f.sent()) != 0 {
		t.Fatalf("status %d, signals %v", code, f.sent())
	}
	if !strings.Contains(logs.String(), "WATCH_NOTION_VERIFICATION_TOKEN") || !strings.Contains(logs.String(), notionToken) {
		t.Errorf("the operator is not shown the token: %s", logs)
	}
	// Without a token configured, signed events are refused.
	body := notionEventBody(pageID)
	if code := post(t, srv.URL+NotionPath, body, map[string]string{HeaderNotionSignature: NotionSignature(notionToken, []byte(body))}); code != http.StatusServiceUnavailable {
		t.Errorf("unconfigured: status %d, want 503", code)
	}
}

func TestNotionEventsNotAboutAWatchedPage(t *testing.T) {
	srv, f, _ := serve(t, Config{NotionVerificationToken: notionToken})
	unwatched := notionEventBody("0f3c2b1a-9d8e-4f7a-8b6c-5d4e3f2a1b0c")
	comment := strings.Replace(strings.Replace(notionEventBody(pageID), `"type":"page"}`, `"type":"comment"}`, 1), "page.content_updated", "comment.created", 1)
	for name, body := range map[string]string{"unwatched page": unwatched, "comment": comment} {
		code := post(t, srv.URL+NotionPath, body, map[string]string{HeaderNotionSignature: NotionSignature(notionToken, []byte(body))})
		if code != http.StatusOK && code != http.StatusNoContent {
			t.Errorf("%s: status %d, want 2xx so Notion does not retry", name, code)
		}
	}
	if got := f.sent(); len(got) != 0 {
		t.Errorf("signals %v", got)
	}
}

func TestDriveNotifications(t *testing.T) {
	srv, f, _ := serve(t, Config{DriveChannelToken: driveToken})
	headers := func(token, state, uri string) map[string]string {
		return map[string]string{HeaderChannelToken: token, HeaderResourceState: state, HeaderResourceURI: uri,
			"X-Goog-Channel-ID": "newsletter-drive-1", "X-Goog-Resource-ID": "ret08u3rv24htgh289g", "X-Goog-Message-Number": "2"}
	}
	fileURI := "https://www.googleapis.com/drive/v3/files/1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE?acknowledgeAbuse=false&supportsAllDrives=false&alt=json"
	if code := post(t, srv.URL+DrivePath, "", headers("guess", "update", fileURI)); code != http.StatusUnauthorized {
		t.Errorf("bad token: status %d, want 401", code)
	}
	if code := post(t, srv.URL+DrivePath, "", headers("", "update", fileURI)); code != http.StatusUnauthorized {
		t.Errorf("no token: status %d, want 401", code)
	}
	if code := post(t, srv.URL+DrivePath, "", headers(driveToken, "sync", fileURI)); code != http.StatusOK {
		t.Errorf("sync: status %d", code)
	}
	if got := f.sent(); len(got) != 0 {
		t.Fatalf("signals %v before any change", got)
	}
	if code := post(t, srv.URL+DrivePath, "", headers(driveToken, "update", fileURI)); code != http.StatusOK {
		t.Errorf("files.watch update: status %d", code)
	}
	if got := f.sent(); len(got) != 1 || got[0] != "watch-gdocs:1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE/check" {
		t.Fatalf("files.watch: signals %v", got)
	}
	changesURI := "https://www.googleapis.com/drive/v3/changes?alt=json&pageToken=5321"
	if code := post(t, srv.URL+DrivePath, "", headers(driveToken, "change", changesURI)); code != http.StatusOK {
		t.Errorf("changes.watch: status %d", code)
	}
	if got := f.sent(); len(got) != 3 {
		t.Errorf("changes.watch: signals %v, want both Docs watchers poked", got)
	}
	if !strings.Contains(f.lastList, "STARTS_WITH") || !strings.Contains(f.lastList, workflows.WatcherWorkflowName) {
		t.Errorf("list query %q", f.lastList)
	}
}
