package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/internal/testdocs"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/markdown"
)

// discardCRM answers the CRM contract without keeping what it is sent:
// recipients generated on the fly, uploads and batches read and counted.
type discardCRM struct {
	recipients int
	bodyBytes  atomic.Int64
	largest    atomic.Int64
}

func (d *discardCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	d.bodyBytes.Add(n)
	for old := d.largest.Load(); n > old && !d.largest.CompareAndSwap(old, n); old = d.largest.Load() {
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == crm.PathRecipients:
		start := 0
		fmt.Sscan(r.URL.Query().Get("cursor"), &start)
		page := crm.RecipientsPage{Total: d.recipients}
		for i := start; i < min(start+1000, d.recipients); i++ {
			page.Recipients = append(page.Recipients, crm.Recipient{ID: fmt.Sprint(i), Email: fmt.Sprintf("r%d@example.com", i), Name: "R", Segments: []string{"beta"}[:i%2]})
		}
		if start+1000 < d.recipients {
			page.NextCursor = fmt.Sprint(start + 1000)
		}
		_ = json.NewEncoder(w).Encode(page)
	case r.Method == http.MethodPut:
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(crm.ContentResponse{})
	default:
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(crm.NewsletterResponse{Rejected: []crm.Rejection{}})
	}
}

// peakHeap samples the live heap until stop is called and returns the
// highest figure seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// BenchmarkLargeEdition runs the activities of one edition on a generated
// living document (BENCH_DOC_BYTES, default 5 MB): fetch and parse,
// render (PrepareEdition, as the worker runs it), a signed proof to two
// approvers, and a send to 2,000 recipients through the CRM client,
// logging each step's heap peaks (all objects, and live as of the last
// GC) and reporting the live heap's peak. BENCH_HEAP_PROFILE=file writes a
// heap profile at each step's live peak to file.<step>; with -cpuprofile
// it shows where a large document's time goes.
func BenchmarkLargeEdition(b *testing.B) {
	size := 5 << 20
	if v := os.Getenv("BENCH_DOC_BYTES"); v != "" {
		fmt.Sscan(v, &size)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "living.md")
	if err := os.WriteFile(path, testdocs.Markdown(size, 1), 0o644); err != nil {
		b.Fatal(err)
	}
	store, err := blobstore.Open(context.Background(), "file://"+filepath.Join(dir, "store"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	sink := &discardCRM{recipients: 2000}
	srv := httptest.NewServer(sink)
	defer srv.Close()
	r, err := render.New(render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	keys, err := token.ParseKeys("k1:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
	if err != nil {
		b.Fatal(err)
	}
	a := &activities.Activities{
		Sources:   sources.Registry{"markdown": markdown.New(markdown.Options{})},
		Taxonomy:  content.DefaultTaxonomy(),
		Renderer:  r,
		Artifacts: store,
		CRM:       crmclient.New(crmclient.Options{BaseURL: srv.URL, Timeout: time.Minute}),
		Platform:  &fakes.Platform{},
		Approvals: activities.ApprovalOptions{Keys: keys},
	}
	var s testsuite.WorkflowTestSuite
	b.ResetTimer()
	for i := range b.N {
		runtime.GC()
		stop := peakHeap()
		lstop := livePeak(profile("prepare"))
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		ed := fmt.Sprintf("2026-W%02d", 10+i%40)
		t0 := time.Now()
		var prep activitytypes.PrepareResult
		v, err := env.ExecuteActivity(a.PrepareEdition, activitytypes.PrepareInput{Source: "markdown:" + path, Edition: ed})
		if err != nil || v.Get(&prep) != nil {
			b.Fatal(err)
		}
		sum := prep.Rendered
		live := lstop()
		b.Logf("prepare %v peak %d MB live %d MB", time.Since(t0), stop()>>20, live>>20)
		t0 = time.Now()
		runtime.GC()
		stop = peakHeap()
		lstop = livePeak(profile("proof"))
		proof := activitytypes.ProofInput{NewsletterID: "newsletter-" + ed + "-proof-0", Approvers: []string{"ana@example.com", "bo@example.com"},
			EmailRef: sum.EmailRef(), WorkflowID: "newsletter-" + ed, RunID: "run", Edition: ed, Revision: sum.ContentRevision, Deadline: time.Now().Add(time.Hour)}
		if _, err := env.ExecuteActivity(a.SendProof, proof); err != nil {
			b.Fatal(err)
		}
		l := lstop()
		live = max(live, l)
		b.Logf("proof %v peak %d MB live %d MB", time.Since(t0), stop()>>20, l>>20)
		t0 = time.Now()
		runtime.GC()
		stop = peakHeap()
		lstop = livePeak(profile("send"))
		manifest := sum.Manifest
		if _, err := env.ExecuteActivity(a.SendNewsletter, activitytypes.SendInput{NewsletterID: "newsletter-" + ed, Manifest: &manifest, TargetedSegments: sum.TargetedSegments}); err != nil {
			b.Fatal(err)
		}
		l = lstop()
		live = max(live, l)
		b.Logf("send %v peak %d MB live %d MB", time.Since(t0), stop()>>20, l>>20)
		b.ReportMetric(float64(live)/(1<<20), "peak-live-heap-MB")
	}
	b.ReportMetric(float64(sink.largest.Load())/(1<<20), "largest-request-MB")
}
