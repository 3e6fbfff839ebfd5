package chaos

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/bench"
	"github.com/halcytone/contentgen/workflows"
)

// TestWorkerKilledBetweenRenderAndSend kills the worker that rendered an
// edition while it awaits approval; a new worker process sends it from the
// same artifact store, and the CRM receives exactly the content the first
// worker rendered: the same digest.
func TestWorkerKilledBetweenRenderAndSend(t *testing.T) {
	recipients := pick(300, 2000)
	r := newRig(t, rigOptions{recipients: recipients})
	w := r.startWorker()
	id := r.startEdition()
	ctx := context.Background()
	var p workflows.Preview
	// A busy machine can make one query miss its deadline; ask again.
	var err error
	for range 5 {
		qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		v, qerr := r.client.QueryWorkflow(qctx, id, "", workflows.QueryPreview)
		cancel()
		if err = qerr; err == nil {
			err = v.Get(&p)
			break
		}
	}
	if err != nil || p.Rendered == nil {
		t.Fatal(r.withLog(fmt.Errorf("preview %+v, %v: want a rendered edition", p, err)))
	}
	w.Kill()
	r.startWorker()
	if err := bench.Approve(ctx, r.client, id, "after a worker kill"); err != nil {
		t.Fatal(err)
	}
	res := r.result(id, 5*time.Minute)
	got, err := r.crmDirect.Content(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != p.Rendered.ContentDigest || res.Send.ContentDigest != got.Digest || res.Send.ContentMode != activities.ContentUpload {
		t.Fatalf("CRM holds %s, the first worker rendered %s, the send reports %s (%s)", got.Digest, p.Rendered.ContentDigest, res.Send.ContentDigest, res.Send.ContentMode)
	}
	r.verify(id, res)
}
