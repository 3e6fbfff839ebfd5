// Package sendctl runs pausing, resuming and cancelling a 20,000-recipient
// send on the Temporal dev server, with the real worker and the reference
// CRM on PostgreSQL in log delivery mode, and checks the CRM's delivery
// log.
package sendctl

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/devserver"
	"github.com/halcytone/contentgen/internal/pgtest"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/internal/testtools"
	"github.com/halcytone/contentgen/platform"
	platformserver "github.com/halcytone/contentgen/platform/server"
	"github.com/halcytone/contentgen/workflows"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var record = flag.Bool("record", false, "write the paused-and-resumed run's history to workflows/testdata for the replay test")

// recordHistory writes a run's history for the replay test, under -record.
func (r *rig) recordHistory(id, name string) {
	t := r.t
	t.Helper()
	if !*record {
		return
	}
	out, err := exec.Command(testtools.Tool(t, "temporal"), "workflow", "show", "--workflow-id", id, "--output", "json",
		"--address", r.address, "--namespace", "default").Output()
	if err != nil {
		t.Fatalf("temporal workflow show %s: %v", id, err)
	}
	path := filepath.Join(testtools.RepoRoot(t), "workflows", "testdata", name+".history.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", path)
}

const (
	crmKey      = "sendctl-crm-key"
	platformKey = "sendctl-platform-key"
	recipients  = 20000
	pageSize    = 1000
)

// rig is the product on the dev server: worker, reference CRM on
// PostgreSQL (log delivery), reference Platform, artifact store.
type rig struct {
	t         *testing.T
	temporal  client.Client
	address   string
	crm       *crmserver.Server
	crmClient *crmclient.Client
	keys      *token.Keyring
	store     *blobstore.Store
	gate      *gate
}

func newRig(t *testing.T) *rig {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the Temporal dev server and PostgreSQL")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	root := testtools.RepoRoot(t)
	srv, tc := devserver.Start(t, devserver.Options{})
	r := &rig{t: t, temporal: tc, address: srv.FrontendHostPort()}

	db, err := sqldb.Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	crmHTTP := httptest.NewUnstartedServer(nil)
	r.crm, err = crmserver.New(crmserver.Config{DB: db, Keys: httpapi.NewKeys(crmKey), PublicURL: "http://" + crmHTTP.Listener.Addr().String(),
		From: "Halcytone <news@example.com>", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Delivery: crmserver.DeliveryConfig{Mode: crmserver.ModeLog, PollInterval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.crm.InsertContacts(ctx, crmserver.GenerateContacts(0, recipients)); err != nil {
		t.Fatal(err)
	}
	crmHTTP.Config.Handler = r.crm.Handler()
	crmHTTP.Start()
	done := make(chan struct{})
	go func() { _ = r.crm.Run(ctx); close(done) }()
	t.Cleanup(func() { db.Close() })
	t.Cleanup(crmHTTP.Close)
	t.Cleanup(func() { cancel(); <-done })
	r.crmClient = crmclient.New(crmclient.Options{BaseURL: crmHTTP.URL, APIKey: crmKey})

	platDB, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { platDB.Close() })
	platHTTP := httptest.NewUnstartedServer(nil)
	plat, err := platformserver.New(platformserver.Config{DB: platDB, Keys: httpapi.NewKeys(platformKey),
		PublicURL: "http://" + platHTTP.Listener.Addr().String(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	platHTTP.Config.Handler = plat.Handler()
	platHTTP.Start()
	t.Cleanup(platHTTP.Close)

	srcs, err := app.Sources(ctx, app.SourcesConfig{MarkdownBaseDir: root})
	if err != nil {
		t.Fatal(err)
	}
	renderer, tax, err := app.Renderer(app.RenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := token.NewKey("sendctl")
	if err != nil {
		t.Fatal(err)
	}
	if r.keys, err = token.ParseKeys(spec); err != nil {
		t.Fatal(err)
	}
	if r.store, err = app.ArtifactStore(ctx, filepath.Join(t.TempDir(), "artifacts"), ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.store.Close() })
	r.gate = &gate{CRM: r.crmClient}
	acts := &activities.Activities{Sources: srcs, Taxonomy: tax, Renderer: renderer, CRM: r.gate, Artifacts: r.store,
		Platform:   platform.New(platform.Options{BaseURL: platHTTP.URL, APIKey: platformKey}),
		WebBaseURL: platHTTP.URL, Send: activities.SendOptions{PageSize: pageSize, Window: 2},
		Approvals: activities.ApprovalOptions{Keys: r.keys}, SeedLists: map[string][]string{"qa": {"qa@example.com"}}}
	w := app.NewWorker(tc, "", acts, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return r
}

// gate passes the worker's CRM calls through to the reference CRM. Armed,
// it lets the send read `pages` pages and holds the next read until the
// send is stopped, so a pause lands at exactly pages×1000 recipients.
type gate struct {
	activities.CRM
	mu      sync.Mutex
	armed   bool
	pages   int
	reads   int
	held    chan struct{}
	replies map[string]int
}

func (g *gate) arm(pages int) <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.armed, g.pages, g.reads, g.held = true, pages, 0, make(chan struct{})
	return g.held
}

func (g *gate) Recipients(ctx context.Context, segments []string, cursor string, limit int) (crm.RecipientsPage, error) {
	if err := g.hold(ctx); err != nil {
		return crm.RecipientsPage{}, err
	}
	return g.CRM.Recipients(ctx, segments, cursor, limit)
}

// RecipientsIn reads the recipients of a time-zone group, held like
// Recipients.
func (g *gate) RecipientsIn(ctx context.Context, q crm.RecipientQuery, cursor string, limit int) (crm.RecipientsPage, error) {
	if err := g.hold(ctx); err != nil {
		return crm.RecipientsPage{}, err
	}
	return g.CRM.(activities.TimezoneCRM).RecipientsIn(ctx, q, cursor, limit)
}

func (g *gate) RecipientTimezones(ctx context.Context, segments []string) (crm.TimezonesReply, error) {
	return g.CRM.(activities.TimezoneCRM).RecipientTimezones(ctx, segments)
}

// hold counts a page read; once armed and past its pages it holds the
// read until the send is stopped.
func (g *gate) hold(ctx context.Context) error {
	g.mu.Lock()
	hold := false
	if g.armed {
		if g.reads++; g.reads > g.pages {
			g.armed, hold = false, true
			close(g.held)
		}
	}
	g.mu.Unlock()
	if hold {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (g *gate) SendNewsletter(ctx context.Context, key string, req crm.NewsletterRequest) (crm.NewsletterResponse, error) {
	resp, err := g.CRM.SendNewsletter(ctx, key, req)
	if err == nil {
		g.mu.Lock()
		if g.replies == nil {
			g.replies = map[string]int{}
		}
		g.replies[req.NewsletterID]++
		g.mu.Unlock()
	}
	return resp, err
}

// waitReplies waits until the CRM has answered n batches of a newsletter.
func (g *gate) waitReplies(t *testing.T, id string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		g.mu.Lock()
		got := g.replies[id]
		g.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the CRM did not answer %d batches of %s", n, id)
}

// deliveries reads the CRM's whole delivery log of a newsletter, once
// every queued message is delivered: how many rows each address has.
func (r *rig) deliveries(id string) map[string]int {
	t := r.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := r.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	cursor := ""
	for {
		page, err := r.crmClient.Deliveries(ctx, id, "", cursor, crm.MaxDeliveriesPage)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Deliveries {
			if d.Status != crm.DeliveryLogged {
				t.Errorf("delivery to %s: status %s, want %s", d.Address, d.Status, crm.DeliveryLogged)
			}
			seen[strings.ToLower(d.Address)]++
		}
		if cursor = page.NextCursor; cursor == "" {
			return seen
		}
	}
}

func (r *rig) status(id string) workflows.Status {
	r.t.Helper()
	v, err := r.temporal.QueryWorkflow(context.Background(), id, "", workflows.QueryStatus)
	if err != nil {
		r.t.Fatalf("status of %s: %v", id, err)
	}
	var st workflows.Status
	if err := v.Get(&st); err != nil {
		r.t.Fatal(err)
	}
	return st
}

func (r *rig) waitStage(id, stage string) workflows.Status {
	r.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var st workflows.Status
	for time.Now().Before(deadline) {
		if st = r.status(id); st.Stage == stage {
			return st
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.t.Fatalf("%s did not reach stage %s (last %s)", id, stage, st.Stage)
	return st
}
