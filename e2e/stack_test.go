// Package e2e runs the product end to end on the real Temporal dev server:
// the real worker, the reference CRM and Platform, and the temporal CLI.
package e2e

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/devserver"
	"github.com/halcytone/contentgen/internal/mailpittest"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/internal/testtools"
	"github.com/halcytone/contentgen/platform"
	platformserver "github.com/halcytone/contentgen/platform/server"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/fake"
	"github.com/halcytone/contentgen/workflows"
)

var record = flag.Bool("record", false, "write the runs' histories to workflows/testdata for the replay test")

const (
	crmKey      = "e2e-crm-key"
	platformKey = "e2e-platform-key"
)

// headerLog records, per path, the headers of requests that reached a
// reference server, and fails the test on a request without them.
type headerLog struct {
	t    testing.TB
	mu   sync.Mutex
	seen []*http.Request
}

func (h *headerLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Contact import is an operator's call, not the workflow's.
		if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != crm.PathContacts {
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				h.t.Errorf("%s %s without a bearer key", r.Method, r.URL.Path)
			}
			if r.Header.Get(httpapi.HeaderCorrelationID) == "" && r.Method == http.MethodPost {
				h.t.Errorf("%s %s without %s", r.Method, r.URL.Path, httpapi.HeaderCorrelationID)
			}
			if r.Method == http.MethodPost && r.Header.Get(httpapi.HeaderIdempotencyKey) == "" {
				h.t.Errorf("%s %s without %s", r.Method, r.URL.Path, httpapi.HeaderIdempotencyKey)
			}
			h.mu.Lock()
			h.seen = append(h.seen, r.Clone(context.Background()))
			h.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (h *headerLog) requests(method, path string) []*http.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*http.Request
	for _, r := range h.seen {
		if r.Method == method && r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// stack is a running product: dev server, reference services, worker.
type stack struct {
	temporal     client.Client
	address      string
	crm          *crmserver.Server
	crmClient    *crmclient.Client
	platform     *platform.Client
	crmURL       string
	platformURL  string
	crmHeaders   *headerLog
	platHeaders  *headerLog
	contactCount int
	// signingKeys is the worker's APPROVAL_SIGNING_KEYS; approvalsURL
	// serves the approval pages.
	signingKeys  string
	keys         *token.Keyring
	approvalsURL string
	artifacts    *blobstore.Store
	// artifactDir is the store's folder (or URL, when the test gave one).
	artifactDir string
}

type stackOptions struct {
	mailer crmserver.Mailer
	mode   string
	// dev configures the Temporal dev server (e.g. its Web UI).
	dev devserver.Options
	// observe, when set, instruments the stack as the mains do: the
	// worker's Temporal client, the HTTP clients and both servers.
	observe *telemetry.Providers
	// social holds the clients of the networks the worker posts to.
	social map[string]social.Poster
	// model, when set, turns suggestions on against this fake
	// OpenAI-compatible server, with Enhance on its own task queue.
	model *aifake.Server
	// artifactURL is the worker's artifact store (default: a file store
	// in the test's temporary folder).
	artifactURL string
	// wrapCRM wraps the reference CRM's handler (a CRM that lacks an
	// endpoint, say).
	wrapCRM func(http.Handler) http.Handler
	// sources adjusts the worker's sources (a Notion token and base URL).
	sources func(*app.SourcesConfig)
	// tracking is the CRM's click tracking (default off).
	tracking crmserver.TrackingConfig
}

// startMailpit starts Mailpit and a mailer that sends to it.
func startMailpit(t *testing.T) (*mailpittest.Server, crmserver.Mailer) {
	t.Helper()
	mp := mailpittest.Start(t)
	mailer, err := crmserver.NewSMTPMailer(crmserver.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	return mp, mailer
}

// socialNetworks are the clients of the networks env configures, as the
// worker reads them.
func socialNetworks(t *testing.T, env map[string]string) map[string]social.Poster {
	t.Helper()
	networks, err := app.Social(app.SocialFromEnv(func(k string) string { return env[k] }))
	if err != nil {
		t.Fatal(err)
	}
	return networks
}

// fakeMastodon serves a fake Mastodon that takes the token
// "e2e-mastodon-token".
func fakeMastodon(t *testing.T) (*fake.Mastodon, *httptest.Server) {
	masto := fake.NewMastodon("e2e-mastodon-token")
	srv := httptest.NewServer(masto)
	t.Cleanup(srv.Close)
	masto.URL = srv.URL
	return masto, srv
}

// fakeBluesky serves a fake Bluesky for the handle "halcytone.test" and
// the app password "e2e-app-password".
func fakeBluesky(t *testing.T) (*fake.Bluesky, *httptest.Server) {
	sky := fake.NewBluesky("halcytone.test", "e2e-app-password")
	srv := httptest.NewServer(sky)
	t.Cleanup(srv.Close)
	return sky, srv
}

func startStack(t *testing.T, o stackOptions) *stack {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	root := testtools.RepoRoot(t)
	srv, tc := devserver.Start(t, o.dev)
	if o.observe != nil {
		tc = observedClient(t, srv.FrontendHostPort(), *o.observe)
	}
	s := &stack{temporal: tc, address: srv.FrontendHostPort()}

	crmDB, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { crmDB.Close() })
	mode := o.mode
	if mode == "" {
		mode = crmserver.ModeLog
	}
	s.crmHeaders = &headerLog{t: t}
	crmHTTP := httptest.NewUnstartedServer(nil)
	s.crmURL = "http://" + crmHTTP.Listener.Addr().String()
	s.crm, err = crmserver.New(crmserver.Config{DB: crmDB, Keys: httpapi.NewKeys(crmKey), PublicURL: s.crmURL,
		From: "Halcytone <news@example.com>", Mailer: o.mailer, Delivery: crmserver.DeliveryConfig{Mode: mode}, Tracking: o.tracking})
	if err != nil {
		t.Fatal(err)
	}
	crmHandler := s.crm.Handler()
	if o.wrapCRM != nil {
		crmHandler = o.wrapCRM(crmHandler)
	}
	crmHTTP.Config.Handler = o.handler("crm", s.crmHeaders.wrap(crmHandler))
	crmHTTP.Start()
	t.Cleanup(crmHTTP.Close)
	go func() { _ = s.crm.Run(ctx) }()

	platDB, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { platDB.Close() })
	s.platHeaders = &headerLog{t: t}
	platHTTP := httptest.NewUnstartedServer(nil)
	s.platformURL = "http://" + platHTTP.Listener.Addr().String()
	plat, err := platformserver.New(platformserver.Config{DB: platDB, Keys: httpapi.NewKeys(platformKey), PublicURL: s.platformURL, SiteName: "Halcytone"})
	if err != nil {
		t.Fatal(err)
	}
	platHTTP.Config.Handler = o.handler("platform", s.platHeaders.wrap(plat.Handler()))
	platHTTP.Start()
	t.Cleanup(platHTTP.Close)

	s.crmClient = crmclient.New(crmclient.Options{BaseURL: s.crmURL, APIKey: crmKey, HTTPClient: o.httpClient()})
	s.platform = platform.New(platform.Options{BaseURL: s.platformURL, APIKey: platformKey, HTTPClient: o.httpClient()})
	f := openFile(t, filepath.Join(root, "examples", "contacts.csv"))
	res, err := s.crmClient.ImportContacts(ctx, f)
	if err != nil {
		t.Fatalf("import contacts: %v", err)
	}
	s.contactCount = res.Imported

	srcCfg := app.SourcesConfig{MarkdownBaseDir: root}
	if o.sources != nil {
		o.sources(&srcCfg)
	}
	srcs, err := app.Sources(ctx, srcCfg)
	if err != nil {
		t.Fatal(err)
	}
	renderer, tax, err := app.Renderer(app.RenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if s.signingKeys, err = token.NewKey("e2e"); err != nil {
		t.Fatal(err)
	}
	if s.keys, err = token.ParseKeys(s.signingKeys); err != nil {
		t.Fatal(err)
	}
	s.artifactDir = o.artifactURL
	if s.artifactDir == "" {
		s.artifactDir = filepath.Join(t.TempDir(), "artifacts")
	}
	s.artifacts, err = app.ArtifactStore(ctx, s.artifactDir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.artifacts.Close() })
	// The approvals service opens the worker's store itself, as its main
	// does from ARTIFACT_STORE_URL.
	apprStore, err := app.ArtifactStore(ctx, s.artifactDir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { apprStore.Close() })
	apprHTTP := httptest.NewUnstartedServer(nil)
	s.approvalsURL = "http://" + apprHTTP.Listener.Addr().String()
	apprHTTP.Config.Handler = approvals.New(approvals.Config{Temporal: tc, Keys: s.keys, Artifacts: apprStore, RatePerMinute: 600, Burst: 100}).Handler()
	apprHTTP.Start()
	t.Cleanup(apprHTTP.Close)
	acts := &activities.Activities{Sources: srcs, Taxonomy: tax, Renderer: renderer, CRM: s.crmClient, Platform: s.platform, Artifacts: s.artifacts,
		WebBaseURL: s.platformURL, Send: activities.SendOptions{PageSize: 5, Window: 2},
		Approvals: activities.ApprovalOptions{Keys: s.keys, PublicURL: s.approvalsURL},
		Social:    o.social}

	if o.model != nil {
		model := httptest.NewServer(o.model)
		t.Cleanup(model.Close)
		cfg := app.AIConfig{Model: "e2e-model", BaseURL: model.URL + "/v1", APIKey: "sk-e2e", Budget: 20000, Store: s.artifacts}
		runner, prompts, err := app.AI(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		acts.AI = &activities.Suggester{Runner: runner, Prompts: prompts, Budget: cfg.Budget, TaskQueue: workflows.AITaskQueue}
		aw := app.NewAIWorker(tc, workflows.AITaskQueue, acts, 20)
		if err := aw.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(aw.Stop)
	}
	w := app.NewWorker(tc, "", acts, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return s
}

// waitStage polls the status query until the run reaches stage.
func waitStage(t *testing.T, c client.Client, id, stage string) {
	t.Helper()
	waitStageWithin(t, c, id, stage, 60*time.Second)
}

// waitStageWithin is waitStage for runs that take longer (large documents
// on a loaded machine).
func waitStageWithin(t *testing.T, c client.Client, id, stage string, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	var last string
	for time.Now().Before(deadline) {
		if st, err := queryStatus(c, id); err == nil {
			last = st.Stage
			if st.Stage == stage {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not reach stage %s (last: %s)", id, stage, last)
}

// mint signs a token for by to take action on run id, as an operator
// holding the key would ('starter approve --mint').
func (s *stack) mint(t *testing.T, id, by, action string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tok, err := approvals.Mint(ctx, s.temporal, s.keys, id, by, action)
	if err != nil {
		t.Fatalf("mint a token for %s on %s: %v", by, id, err)
	}
	return tok
}
