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
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/platform"
)

// clientTimeout bounds each CRM request of the in-process worker, so that
// the proxy's timeouts cost seconds, not the worker binary's minute.
const clientTimeout = 2 * time.Second

// The CRM answers at random with 500s, 429 + Retry-After, timeouts,
// connection resets (some after it applied the request) and slow replies.
func TestFaultyCRM(t *testing.T) {
	recipients := pick(5000, 20000)
	var proxy *Proxy
	r := newRig(t, rigOptions{recipients: recipients, wrapCRM: func(next http.Handler) http.Handler {
		proxy = NewProxy(next, pick(0.2, 0.25), uint64(time.Now().UnixNano()))
		proxy.Hang = clientTimeout + time.Second
		return proxy
	}})
	r.startInProcessWorker(activities.SendOptions{PageSize: 250, Window: 4})
	id := r.approveEdition()
	res := r.result(id, 10*time.Minute)
	r.verify(id, res)
	counts := proxy.Counts()
	t.Logf("faults injected: %v; send attempts: %d", counts, r.sendAttempts(id))
	for _, f := range AllFaults() {
		if counts[f] == 0 {
			t.Errorf("no %s fault was injected; the test did not exercise it", f)
		}
	}
}

// startInProcessWorker runs the product's worker in the test process,
// wired as the worker binary wires it but with a short CRM timeout.
func (r *rig) startInProcessWorker(send activities.SendOptions) {
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
	acts := &activities.Activities{Sources: srcs, Taxonomy: tax, Renderer: renderer,
		CRM:        crm.New(crm.Options{BaseURL: r.crmURL, APIKey: crmKey, Timeout: clientTimeout}),
		Platform:   platform.New(platform.Options{BaseURL: r.platURL, APIKey: platformKey, Timeout: 10 * time.Second}),
		WebBaseURL: r.platURL, Send: send, Approvals: activities.ApprovalOptions{Keys: keys}}
	w := app.NewWorker(r.client, "", acts, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}
