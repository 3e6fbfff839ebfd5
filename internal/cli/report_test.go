package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/platform"
	platformserver "github.com/halcytone/contentgen/platform/server"
	"github.com/halcytone/contentgen/report/lastedition"
	"github.com/halcytone/contentgen/workflows"
)

// startPlatform runs the reference Platform and publishes edition with
// reads page views by distinct readers.
func startPlatform(t *testing.T, edition string, reads int) string {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := platformserver.New(platformserver.Config{DB: db, Keys: httpapi.NewKeys("pk"), TrustProxy: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	pc := platform.New(platform.Options{BaseURL: hs.URL, APIKey: "pk"})
	if _, err := pc.CreateUpdate(context.Background(), "", platform.UpdateRequest{Slug: "weekly-" + strings.ToLower(edition),
		Title: "Weekly", BodyHTML: "<p>Hi</p>", Edition: edition}); err != nil {
		t.Fatal(err)
	}
	for i := range reads {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/updates/weekly-"+strings.ToLower(edition), nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 Firefox/133.0")
		req.Header.Set("X-Forwarded-For", "192.0.2."+string(rune('1'+i)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	return hs.URL
}

func TestReportCommand(t *testing.T) {
	platformURL := startPlatform(t, "2026-W49", 3)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	vars := map[string]string{"PLATFORM_URL": platformURL, "PLATFORM_API_KEY": "pk", "CRM_URL": gone.URL, "CRM_API_KEY": "ck"}

	e, stdout, _ := testEnv(&fakeClient{}, vars)
	if err := Run(context.Background(), e, []string{"report", "--edition", "2026-W49", "--json"}); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("--json printed %s: %v", stdout, err)
	}
	for _, k := range []string{"delivered", "bounced", "unsubscribed", "clicks_total", "unique_clicks", "opens_estimated", "machine_opens", "web_views", "sections"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, stdout)
		}
	}
	if raw["web_views"] != 3.0 || raw["web_unique_visitors"] != 3.0 || !strings.Contains(raw["email_unavailable"].(string), "crm newsletter report") {
		t.Errorf("figures %s", stdout)
	}

	e, stdout, _ = testEnv(&fakeClient{}, vars)
	if err := Run(context.Background(), e, []string{"report", "--edition", "2026-W49"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "web views 3 (unique visitors 3)") || !strings.Contains(stdout.String(), "email figures unavailable") {
		t.Errorf("text report:\n%s", stdout)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "--edition"},
		{[]string{"report", "--edition", "no such/edition"}, "edition \"no such/edition\""},
		{[]string{"report", "--edition", "2026-W01"}, "no figures could be read for 2026-W01"},
	} {
		e, _, _ = testEnv(&fakeClient{}, vars)
		if err := Run(context.Background(), e, tt.args); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestStatusShowsLastEdition(t *testing.T) {
	var b bytes.Buffer
	printStatus(&b, "newsletter-2026-W49", workflows.Status{Stage: workflows.StageAwaitingApproval, LastEdition: &lastedition.Summary{
		Edition: "2026-W48", Delivered: 120, ClicksTotal: 31, UniqueClicks: 25, Unsubscribed: 1,
		MostClicked: &crm.SectionClicks{Category: "Breathscape", Clicks: 20}, LeastClicked: &crm.SectionClicks{Category: "Vision", Clicks: 2}}})
	want := "last edition:\n  Edition 2026-W48: 120 delivered, 31 clicks (25 unique), 1 unsubscribed, 0 bounced\n  Most clicked: Breathscape (20); least clicked: Vision (2)\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("status:\n%s\nwant\n%s", b.String(), want)
	}
}

func TestStatusShowsSocialEditsARefreshLeftOut(t *testing.T) {
	var b bytes.Buffer
	printStatus(&b, "newsletter-2026-W49", workflows.Status{Stage: workflows.StageAwaitingApproval, Decisions: []workflows.Decision{{
		Action: "approve", By: "ana@example.com", Verified: true, Note: "changed the social posts (bluesky: text edited)",
		Dropped: "refresh 1: bluesky text left out: it counts 316 characters, 16 over the limit of 300"}}})
	want := "changed the social posts (bluesky: text edited); dropped refresh 1: bluesky text left out: it counts 316 characters, 16 over the limit of 300\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("status:\n%s\nwant\n%s", b.String(), want)
	}
}
