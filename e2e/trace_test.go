package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/platform"
)

// recordTraces installs, as the worker main does, a global tracer provider
// whose spans go to an in-memory recorder, and restores the globals after.
func recordTraces(t *testing.T) (*tracetest.SpanRecorder, telemetry.Providers) {
	t.Helper()
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	rec := tracetest.NewSpanRecorder()
	shutdown, err := telemetry.Setup(context.Background(), telemetry.Config{ServiceName: "e2e", Enabled: true, SpanProcessor: rec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = shutdown(context.Background())
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
	})
	return rec, telemetry.Providers{Tracer: otel.GetTracerProvider()}
}

// spanIndex finds spans by ID and by name or attribute.
type spanIndex map[trace.SpanID]sdktrace.ReadOnlySpan

func indexSpans(spans []sdktrace.ReadOnlySpan) spanIndex {
	idx := spanIndex{}
	for _, s := range spans {
		idx[s.SpanContext().SpanID()] = s
	}
	return idx
}

func (idx spanIndex) named(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range idx {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// serverSpans are the otelhttp server spans of requests to path.
func (idx spanIndex) serverSpans(method, path string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range idx {
		if s.SpanKind() != trace.SpanKindServer {
			continue
		}
		var gotPath, gotMethod string
		for _, a := range s.Attributes() {
			switch a.Key {
			case "url.path":
				gotPath = a.Value.AsString()
			case "http.request.method":
				gotMethod = a.Value.AsString()
			}
		}
		if gotPath == path && gotMethod == method {
			out = append(out, s)
		}
	}
	return out
}

// ancestors lists the names of s's parents, nearest first.
func (idx spanIndex) ancestors(s sdktrace.ReadOnlySpan) []string {
	var names []string
	for p, ok := idx[s.Parent().SpanID()]; ok; p, ok = idx[p.Parent().SpanID()] {
		names = append(names, p.Name())
	}
	return names
}

func TestTraceRunsFromWorkflowToServers(t *testing.T) {
	rec, p := recordTraces(t)
	s := startStack(t, stackOptions{observe: &p})
	id := startEdition(t, s, "2026-W40")
	waitStage(t, s.temporal, id, "awaiting_approval")
	approveAndWait(t, s, id)

	idx := indexSpans(rec.Ended())
	runs := idx.named("RunWorkflow:NewsletterWorkflow")
	if len(runs) != 1 {
		t.Fatalf("%d RunWorkflow spans, want 1 (of %d spans)", len(runs), len(idx))
	}
	traceID := runs[0].SpanContext().TraceID()
	if got := idx.ancestors(runs[0]); len(got) != 1 || got[0] != "StartWorkflow:NewsletterWorkflow" {
		t.Errorf("RunWorkflow's parents %v, want the starter's StartWorkflow span", got)
	}

	// Every server span of the run hangs, through an HTTP client span and
	// an activity, from the workflow run: one trace end to end.
	const runChain = "RunWorkflow:NewsletterWorkflow < StartWorkflow:NewsletterWorkflow"
	hops := []struct {
		server, method, path, activity string
	}{
		{"platform", http.MethodPost, platform.PathUpdates, "RunActivity:PublishUpdate"},
		{"crm", http.MethodPost, crm.PathNewsletter, "RunActivity:SendProof"},
		{"crm", http.MethodPost, crm.PathNewsletter, "RunActivity:SendNewsletter"},
		{"crm", http.MethodGet, crm.PathRecipients, "RunActivity:SendNewsletter"},
	}
	for _, h := range hops {
		servers := idx.serverSpans(h.method, h.path)
		found := 0
		for _, sp := range servers {
			chain := strings.Join(idx.ancestors(sp), " < ")
			if sp.SpanContext().TraceID() != traceID || !strings.HasSuffix(chain, runChain) {
				t.Errorf("%s %s %s: span in trace %s under %q, want trace %s under the workflow run",
					h.server, h.method, h.path, sp.SpanContext().TraceID(), chain, traceID)
			}
			if strings.Contains(chain, h.activity) {
				found++
			}
		}
		if found == 0 {
			t.Errorf("%s %s %s: none of its %d server spans is under %s", h.server, h.method, h.path, len(servers), h.activity)
		}
	}

	// The servers saw the workflow ID as correlation ID: equal for the
	// publish and the send, as prefix for the approvers' proof.
	if reqs := s.platHeaders.requests(http.MethodPost, platform.PathUpdates); len(reqs) != 1 || reqs[0].Header.Get(httpapi.HeaderCorrelationID) != id {
		t.Errorf("publish requests %d, correlation %q: want 1 with %s", len(reqs), correlations(reqs), id)
	}
	var batches int
	for _, r := range s.crmHeaders.requests(http.MethodPost, crm.PathNewsletter) {
		switch cid := r.Header.Get(httpapi.HeaderCorrelationID); {
		case cid == id:
			batches++
		case !strings.HasPrefix(cid, id+"-proof-"):
			t.Errorf("CRM request with correlation ID %q, want %s", cid, id)
		}
	}
	if batches == 0 {
		t.Errorf("no newsletter batch carried correlation ID %s", id)
	}
}

func correlations(reqs []*http.Request) string {
	var ids []string
	for _, r := range reqs {
		ids = append(ids, r.Header.Get(httpapi.HeaderCorrelationID))
	}
	return strings.Join(ids, ",")
}
