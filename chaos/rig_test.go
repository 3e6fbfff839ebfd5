package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/bench"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/internal/testtools"
	platformserver "github.com/halcytone/contentgen/platform/server"
	"github.com/halcytone/contentgen/workflows"
)

const (
	crmKey      = "chaos-crm-key"
	platformKey = "chaos-platform-key"
)

// long reports whether the long variant runs (make chaos).
func long() bool { return os.Getenv("CHAOS_LONG") == "1" }

// chaosSeed is the seed of a test's random choices: CHAOS_SEED when set,
// so a failed run can be repeated, else a new one. A failed test logs it.
func chaosSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CHAOS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED=%q: want a non-negative integer, as a failed run prints it", v)
		}
		seed = n
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("repeat this run with CHAOS_SEED=%d go test -run '^%s$' ./chaos", seed, t.Name())
		}
	})
	return seed
}

// getenvDuration reads a duration such as 30s from the environment; 0
// when unset.
func getenvDuration(t *testing.T, key string) time.Duration {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration such as 30s", key, v)
	}
	return d
}

// pick returns short in CI and long under CHAOS_LONG=1.
func pick[T any](short, long_ T) T {
	if long() {
		return long_
	}
	return short
}

// rig is one fault test's product: the Temporal dev server as a process,
// the reference CRM and Platform in the test process (the CRM optionally
// behind a fault proxy), and whatever worker the test starts.
type rig struct {
	t          *testing.T
	root, dir  string
	temporal   bench.TemporalOptions
	server     *bench.Proc
	client     client.Client
	crm        *crmserver.Server
	crmDirect  *crmclient.Client
	crmURL     string
	platURL    string
	recipients int
	// artifactURL is the artifact store every worker of the test shares.
	artifactURL string
}

type rigOptions struct {
	recipients int
	// persistTemporal keeps the server's state in a file, so it can be
	// restarted on the same port.
	persistTemporal bool
	// wrapCRM wraps the handler the worker reaches (a fault proxy).
	wrapCRM func(http.Handler) http.Handler
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, root: testtools.RepoRoot(t), dir: t.TempDir(), recipients: o.recipients}
	r.artifactURL = filepath.Join(r.dir, "artifacts")
	port, err := bench.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	r.temporal = bench.TemporalOptions{Path: testtools.Tool(t, "temporal"), Port: port, LogDir: r.dir}
	if o.persistTemporal {
		r.temporal.DBFile = filepath.Join(r.dir, "temporal.db")
	}
	r.startTemporal()
	if r.client, err = bench.DialTemporal(context.Background(), r.temporal.Address(), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.client.Close)
	r.startCRM(o.wrapCRM)
	r.startPlatform()
	return r
}

func (r *rig) startTemporal() {
	r.t.Helper()
	p, err := bench.StartTemporal(context.Background(), r.temporal)
	// A dev server that exits at start (on this shared machine, another
	// test's listener on one of its ports) is started again, as an
	// operator would; one that never answers fails the test.
	for attempt := 2; errors.Is(err, bench.ErrTemporalExited) && attempt <= 3; attempt++ {
		r.t.Logf("temporal dev server, start %d: %v", attempt, err)
		time.Sleep(time.Second)
		p, err = bench.StartTemporal(context.Background(), r.temporal)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	r.server = p
	r.t.Cleanup(func() { p.Stop(10 * time.Second) })
}

// restartTemporal stops the dev server — gracefully, or with SIGKILL as a
// crash — leaves it down for down, and starts it again on the same port
// and database.
func (r *rig) restartTemporal(down time.Duration, crash bool) {
	r.t.Helper()
	if crash {
		r.server.Kill()
	} else {
		r.server.Stop(20 * time.Second)
	}
	time.Sleep(down)
	r.startTemporal()
}

func (r *rig) startCRM(wrap func(http.Handler) http.Handler) {
	t := r.t
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqldb.Open(ctx, filepath.Join(r.dir, "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	direct := httptest.NewUnstartedServer(nil)
	r.crm, err = crmserver.New(crmserver.Config{DB: db, Keys: httpapi.NewKeys(crmKey), PublicURL: "http://" + direct.Listener.Addr().String(),
		From: "Halcytone <news@example.com>", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Delivery: crmserver.DeliveryConfig{Mode: crmserver.ModeLog, PollInterval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.crm.InsertContacts(ctx, crmserver.GenerateContacts(0, r.recipients)); err != nil {
		t.Fatal(err)
	}
	direct.Config.Handler = r.crm.Handler()
	direct.Start()
	r.crmDirect = crmclient.New(crmclient.Options{BaseURL: direct.URL, APIKey: crmKey})
	r.crmURL = direct.URL
	if wrap != nil {
		faulty := httptest.NewServer(wrap(r.crm.Handler()))
		t.Cleanup(faulty.Close)
		r.crmURL = faulty.URL
	}
	done := make(chan struct{})
	go func() { _ = r.crm.Run(ctx); close(done) }()
	// Cleanups run last-in first-out: the dispatcher stops before the
	// database closes.
	t.Cleanup(func() { db.Close() })
	t.Cleanup(direct.Close)
	t.Cleanup(func() { cancel(); <-done })
}

func (r *rig) startPlatform() {
	t := r.t
	db, err := sqldb.Open(context.Background(), filepath.Join(r.dir, "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := httptest.NewUnstartedServer(nil)
	plat, err := platformserver.New(platformserver.Config{DB: db, Keys: httpapi.NewKeys(platformKey),
		PublicURL: "http://" + srv.Listener.Addr().String(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = plat.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	r.platURL = srv.URL
}

// workerBuildDir receives the worker the tests build; TestMain makes and
// removes it.
var workerBuildDir string

// workerBinary builds the worker once per test binary: a bin/worker left
// from an earlier build may predate the code under test.
var workerBinary = sync.OnceValues(func() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := bench.RepoRoot(wd)
	if err != nil {
		return "", err
	}
	out := filepath.Join(workerBuildDir, "worker")
	cmd := exec.Command("go", "build", "-o", out, "./worker")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./worker: %w\n%s", err, msg)
	}
	return out, nil
})

// startWorker starts bin/worker as a child process with env added.
func (r *rig) startWorker(env ...string) *bench.Proc {
	r.t.Helper()
	path, err := workerBinary()
	if err != nil {
		r.t.Fatal(err)
	}
	p, err := bench.Start(bench.Command{Name: "worker", Path: path, LogDir: r.dir,
		Env: append(bench.WorkerEnv(r.temporal.Address(), r.crmURL, crmKey, r.platURL, platformKey), append([]string{"ARTIFACT_STORE_URL=" + r.artifactURL}, env...)...)})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { p.Stop(10 * time.Second) })
	return p
}

// approveEdition starts the bench edition and approves it once it awaits
// approval; it returns the workflow ID.
func (r *rig) approveEdition() string {
	r.t.Helper()
	ctx := context.Background()
	id := r.startEdition()
	if err := bench.Approve(ctx, r.client, id, "chaos"); err != nil {
		r.t.Fatal(err)
	}
	return id
}

// startEdition starts the bench edition and waits until it awaits approval.
func (r *rig) startEdition() string {
	r.t.Helper()
	ctx := context.Background()
	ed := bench.Edition{ID: "2026-W20", Source: "markdown:" + filepath.Join(r.root, "bench", "testdata", "edition.md")}
	id, err := bench.StartEdition(ctx, r.client, ed)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := bench.WaitStage(ctx, r.client, id, workflows.StageAwaitingApproval, 2*time.Minute); err != nil {
		r.t.Fatal(r.withLog(err))
	}
	return id
}

// rows is how many deliveries of newsletter id the CRM holds.
func (r *rig) rows(id string) int {
	page, err := r.crmDirect.Deliveries(context.Background(), id, "", "", 1)
	if err != nil {
		r.t.Fatal(err)
	}
	return page.Total
}

// waitRows waits until newsletter id has more than n deliveries, or the
// run has ended.
func (r *rig) waitRows(id string, n int, wait time.Duration) int {
	r.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if got := r.rows(id); got > n || got == r.recipients {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	r.t.Fatal(r.withLog(fmt.Errorf("%s: no new deliveries beyond %d within %s", id, n, wait)))
	return 0
}

// result waits for the run's result.
func (r *rig) result(id string, wait time.Duration) workflows.Result {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var res workflows.Result
	if err := r.client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		r.t.Fatal(r.withLog(fmt.Errorf("result of %s: %w", id, err)))
	}
	return res
}

// sendAttempts is the attempt number of the send activity's last start.
func (r *rig) sendAttempts(id string) int {
	r.t.Helper()
	it := r.client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	sendID, attempt := int64(0), 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			r.t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "SendNewsletter" {
			sendID = ev.GetEventId()
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && a.GetScheduledEventId() == sendID {
			attempt = int(a.GetAttempt())
		}
	}
	return attempt
}

// withLog adds the tail of the worker's log to err.
func (r *rig) withLog(err error) error {
	b, _ := os.ReadFile(filepath.Join(r.dir, "worker.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return fmt.Errorf("%w\nworker log (last lines):\n%s", err, strings.Join(lines[max(0, len(lines)-15):], "\n"))
}
