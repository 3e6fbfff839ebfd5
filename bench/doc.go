package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/testdocs"
	"github.com/halcytone/contentgen/workflows"
)

// DocMeasure is one run of the document-size sweep.
type DocMeasure struct {
	DocBytes   int
	Variants   int
	Recipients int
	History    HistoryStats
	// FetchToAwaiting is from the fetch being scheduled to the run
	// awaiting approval (read from history timestamps).
	FetchToAwaiting time.Duration
	WorkerPeakRSSMB float64
	Send            Measure
}

// Line is the BENCH_DOC line of the measure.
func (m DocMeasure) Line() string {
	return fmt.Sprintf("BENCH_DOC doc_bytes=%d variants=%d history_events=%d history_bytes=%d max_payload_bytes=%d fetch_to_awaiting_s=%.2f worker_peak_rss_mb=%.1f",
		m.DocBytes, m.Variants, m.History.Events, m.History.Bytes, m.History.MaxPayload, m.FetchToAwaiting.Seconds(), m.WorkerPeakRSSMB)
}

// RunDoc sends an edition made from a generated living document of about
// docBytes of Markdown to n generated contacts: fetch, parse, render and
// proof, approval, send.
func (c Config) RunDoc(ctx context.Context, docBytes, n int) (DocMeasure, error) {
	m := DocMeasure{Recipients: n}
	name := "doc-" + strconv.Itoa(docBytes)
	dir, err := os.MkdirTemp(c.WorkDir, "bench-"+name+"-")
	if err != nil {
		return m, fmt.Errorf("bench %s: %w", name, err)
	}
	if !c.Keep {
		defer os.RemoveAll(dir)
	}
	doc := testdocs.Markdown(docBytes, 1)
	m.DocBytes = len(doc)
	path := filepath.Join(dir, "living.md")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		return m, fmt.Errorf("bench %s: %w", name, err)
	}
	fmt.Fprintf(c.Log, "%s: %d bytes of Markdown to %d recipients; starting the stack in %s\n", name, len(doc), n, dir)
	s, err := StartStack(ctx, StackOptions{Bin: c.Bin, Dir: dir, Contacts: n,
		CRMEnv:    []string{"CRM_DELIVERY_MODE=log", "CRM_CONCURRENCY=1", "GOGC=" + strconv.Itoa(c.CRMGOGC)},
		WorkerEnv: c.workerEnv()})
	defer s.Close()
	if err != nil {
		return m, fmt.Errorf("bench %s: %w (logs in %s)", name, err, filepath.Join(dir, "logs"))
	}
	// The CRM builds every message after accepting it: at 10k recipients
	// of a 30 MB email that is hundreds of GB of work that is the CRM's, not
	// the workflow's, so the run ends once every message is accepted.
	ed := Edition{ID: "2026-W11", Source: "markdown:" + path, Recipients: n, Status: crm.DeliveryLogged, AcceptedOnly: true}
	if m.Send, err = s.Send(ctx, ed); err != nil {
		return m, fmt.Errorf("bench %s: %w (logs in %s; BENCH_KEEP=1 keeps them)", name, err, filepath.Join(dir, "logs"))
	}
	id := workflows.WorkflowID(ed.ID)
	if m.History, err = MeasureHistory(ctx, s.Client, id); err != nil {
		return m, err
	}
	m.FetchToAwaiting = fetchToAwaiting(m.History)
	m.WorkerPeakRSSMB = m.Send.WorkerPeakRSSMB
	v, err := s.Client.QueryWorkflow(ctx, id, "", workflows.QueryStatus)
	if err != nil {
		return m, fmt.Errorf("bench %s: status: %w", name, err)
	}
	var st workflows.Status
	if err := v.Get(&st); err != nil {
		return m, fmt.Errorf("bench %s: status: %w", name, err)
	}
	m.Variants = st.Variants
	fmt.Fprintf(c.Log, "%s: awaiting approval %.2fs after the fetch was scheduled; sent in %.2fs\n", name, m.FetchToAwaiting.Seconds(), m.Send.Seconds)
	return m, nil
}

// fetchToAwaiting is the time from the first activity scheduled (the
// fetch) to the approval timer started, which the run does once it awaits
// approval.
func fetchToAwaiting(h HistoryStats) time.Duration {
	var from, to time.Time
	for _, ev := range h.History.GetEvents() {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if from.IsZero() {
				from = ev.GetEventTime().AsTime()
			}
		case enumspb.EVENT_TYPE_TIMER_STARTED:
			if to.IsZero() {
				to = ev.GetEventTime().AsTime()
			}
		}
	}
	if from.IsZero() || to.IsZero() {
		return 0
	}
	return to.Sub(from)
}
