package chaos

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/bench"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/platform"
)

// clientTimeout bounds each CRM request of the faulty-CRM test's worker,
// so that the proxy's timeouts cost seconds, not the worker binary's
// minute.
const clientTimeout = 2 * time.Second

// The CRM answers with 500s, 429 + Retry-After, timeouts, connection resets
// (some after it applied the request) and slow replies, on a seeded
// schedule that holds every kind (CHAOS_SEED repeats one).
func TestFaultyCRM(t *testing.T) {
	recipients := pick(5000, 20000)
	seed := chaosSeed(t)
	var proxy *Proxy
	r := newRig(t, rigOptions{recipients: recipients, wrapCRM: func(next http.Handler) http.Handler {
		proxy = NewProxy(next, pick(0.2, 0.25), seed)
		proxy.Hang = clientTimeout + time.Second
		return proxy
	}})
	// The client has a short timeout, so the proxy's timeouts cost
	// seconds, and no circuit breaker: under a slow machine's timeouts
	// the breaker would fail whole attempts, and this test is about the
	// send loop riding out single faults.
	r.startInProcessWorker(activities.SendOptions{PageSize: 250, Window: 4},
		crmclient.New(crmclient.Options{BaseURL: r.crmURL, APIKey: crmKey, Timeout: clientTimeout}))
	id := r.approveEdition()
	// Under the race detector on a busy machine the CRM's own replies
	// can outlast the short timeout, costing attempts and backoff: the
	// deadline leaves room for that.
	res := r.result(id, 20*time.Minute)
	r.verify(id, res)
	counts := proxy.Counts()
	t.Logf("faults injected: %v; send attempts: %d", counts, r.sendAttempts(id))
	for _, f := range AllFaults() {
		if counts[f] == 0 {
			t.Errorf("no %s fault was injected; the test did not exercise it", f)
		}
	}
}

// The CRM answers every request with 429 for a stretch in the middle of a
// send (from its 16th request on, for CHAOS_429_WINDOW: 5 s by default,
// 30 s in the long run), half the time without Retry-After: the worker's
// CRM client, circuit breaker included, takes it as back-pressure. The
// send waits, never fails an attempt, and reaches every recipient exactly
// once.
func TestRateLimitedStretchMidSend(t *testing.T) {
	recipients := pick(5000, 20000)
	window := pick(5*time.Second, 30*time.Second)
	if v := getenvDuration(t, "CHAOS_429_WINDOW"); v > 0 {
		window = v
	}
	var proxy *Proxy
	r := newRig(t, rigOptions{recipients: recipients, wrapCRM: func(next http.Handler) http.Handler {
		proxy = NewProxy(next, 0, chaosSeed(t))
		proxy.Faults = []Fault{FaultSlow} // no other fault than the stretch
		// A send reads and posts each of its recipients/250 pages: the
		// 16th request falls early in it, with most pages to go.
		proxy.RateLimit(16, window)
		return proxy
	}})
	// The worker binary's CRM client: circuit breaker included, and its
	// 30 s timeout, so that only the 429s, not a slow machine, test it.
	r.startInProcessWorker(activities.SendOptions{PageSize: 250, Window: 4},
		app.CRMClient(app.ServiceConfig{BaseURL: r.crmURL, APIKey: crmKey, Timeout: 30 * time.Second}, nil, nil))
	id := r.approveEdition()
	res := r.result(id, 10*time.Minute)
	r.verify(id, res)
	if n := r.sendAttempts(id); n != 1 {
		t.Errorf("the send took %d attempts, want 1: a 429 stretch must not fail one", n)
	}
	since := proxy.RateLimitedSince()
	limited := proxy.Counts()[Fault429]
	if since.IsZero() || limited == 0 {
		t.Fatalf("no request met the 429 stretch (began %v, %d 429s)", since, limited)
	}
	desc, err := r.client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	took := desc.GetWorkflowExecutionInfo().GetCloseTime().AsTime().Sub(since)
	if took < window {
		t.Errorf("the run ended %s after the stretch began, within its %s: requests got through it", took, window)
	}
	t.Logf("the CRM answered %d requests with 429 for %s; the run ended %s after the stretch began",
		limited, window, took.Round(time.Millisecond))
}

// startInProcessWorker runs the product's worker in the test process,
// wired as the worker binary wires it but with the given CRM client.
func (r *rig) startInProcessWorker(send activities.SendOptions, crmClient activities.CRM) {
	t := r.t
	ctx := context.Background()
	srcs, err := app.Sources(ctx, app.SourcesConfig{})
	if err != nil {
		t.Fatal(err)
	}
	renderer, tax, err := app.Renderer(app.RenderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.ParseKeys(bench.SigningKeys)
	if err != nil {
		t.Fatal(err)
	}
	store, err := app.ArtifactStore(ctx, r.artifactURL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	acts := &activities.Activities{Sources: srcs, Taxonomy: tax, Renderer: renderer, Artifacts: store,
		CRM:        crmClient,
		Platform:   platform.New(platform.Options{BaseURL: r.platURL, APIKey: platformKey, Timeout: 10 * time.Second}),
		WebBaseURL: r.platURL, Send: send, Approvals: activities.ApprovalOptions{Keys: keys}}
	w := app.NewWorker(r.client, "", acts, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}
