package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/workflows"
)

// Approver is the one approver of a bench edition.
const Approver = "bench@example.com"

// Edition is one newsletter edition to send through a stack.
type Edition struct {
	ID string
	// Source is the document, "markdown:<absolute path>".
	Source string
	// Recipients is how many deliveries the CRM must end up with.
	Recipients int
	// Status is the delivery status every row must reach: crm.DeliveryLogged
	// or crm.DeliverySent.
	Status string
	// AcceptedOnly ends the measure when the CRM has accepted every
	// message (the run's completion), without waiting for the CRM to
	// build them all: what the document-size sweep measures.
	AcceptedOnly bool
}

// Measure is what one send measured.
type Measure struct {
	Recipients int
	// Seconds is from the approval to the run's completion, which comes
	// when the CRM has accepted every message.
	Seconds float64
	// DeliveredSeconds is from the approval to the last delivery reaching
	// Edition.Status (built in full, or handed to the SMTP server): to
	// when the bench saw it, then the delivery log's own time of it.
	DeliveredSeconds float64
	// Approved is when the bench approved the run.
	Approved        time.Time
	HistoryEvents   int
	HistoryBytes    int
	WorkerPeakRSSMB float64
	CRMPeakRSSMB    float64
	Send            activitytypes.SendResult
	Counts          map[string]int
	// CPUSeconds is the CPU time each process used from the approval to
	// the run's completion; DeliveredCPUSeconds to the last delivery.
	CPUSeconds          map[string]float64
	DeliveredCPUSeconds map[string]float64
}

// RecipientsPerSecond is Recipients over Seconds.
func (m Measure) RecipientsPerSecond() float64 { return float64(m.Recipients) / m.Seconds }

// LoggedLine is the BENCH_LOGGED line of the measure: the same send timed
// to the last message built and written to the delivery log, which the
// CRM does after it accepted the batch.
func (m Measure) LoggedLine() string {
	return fmt.Sprintf("BENCH_LOGGED recipients=%d seconds=%.2f recipients_per_s=%.0f",
		m.Recipients, m.DeliveredSeconds, float64(m.Recipients)/m.DeliveredSeconds)
}

// Line is the BENCH line of the measure.
func (m Measure) Line() string {
	return fmt.Sprintf("BENCH recipients=%d seconds=%.2f recipients_per_s=%.0f history_events=%d history_bytes=%d worker_peak_rss_mb=%.1f crm_peak_rss_mb=%.1f",
		m.Recipients, m.Seconds, m.RecipientsPerSecond(), m.HistoryEvents, m.HistoryBytes, m.WorkerPeakRSSMB, m.CRMPeakRSSMB)
}

// Send starts the edition, approves it once it awaits approval, waits for
// the run and then for the CRM to deliver every message, and checks that
// each recipient got exactly one.
func (s *Stack) Send(ctx context.Context, ed Edition) (Measure, error) {
	m := Measure{Recipients: ed.Recipients}
	id, err := StartEdition(ctx, s.Client, ed)
	if err != nil {
		return m, err
	}
	if err := WaitStage(ctx, s.Client, id, workflows.StageAwaitingApproval, 2*time.Minute); err != nil {
		return m, err
	}
	procs := append([]*Proc{s.Worker, s.CRM, s.Temporal, s.Platform}, s.Watch...)
	cpuBefore := cpuTimes(procs)
	approved := time.Now()
	m.Approved = approved
	if err := Approve(ctx, s.Client, id, "bench"); err != nil {
		return m, fmt.Errorf("approve %s: %w", id, err)
	}
	var res workflows.Result
	if err := s.Client.GetWorkflow(ctx, id, "").Get(ctx, &res); err != nil {
		return m, fmt.Errorf("run %s: %w", id, err)
	}
	m.Seconds = time.Since(approved).Seconds()
	m.CPUSeconds = cpuTimes(procs)
	for name, before := range cpuBefore {
		m.CPUSeconds[name] -= before
	}
	m.Send = res.Send
	if m.WorkerPeakRSSMB, err = s.Worker.PeakRSSMB(); err != nil {
		return m, err
	}
	if m.HistoryEvents, m.HistoryBytes, err = HistorySize(ctx, s.Client, id); err != nil {
		return m, err
	}
	if ed.AcceptedOnly {
		if res.Send.Accepted != ed.Recipients || !res.Send.Done {
			return m, fmt.Errorf("run %s: send result %+v, want %d accepted", id, res.Send, ed.Recipients)
		}
		return m, nil
	}
	if m.Counts, err = WaitDelivered(ctx, s.CRMClient, id, ed.Status, ed.Recipients, s.CRM); err != nil {
		return m, err
	}
	m.DeliveredSeconds = time.Since(approved).Seconds()
	m.DeliveredCPUSeconds = cpuTimes(procs)
	for name, before := range cpuBefore {
		m.DeliveredCPUSeconds[name] -= before
	}
	if m.CRMPeakRSSMB, err = s.CRM.PeakRSSMB(); err != nil {
		return m, err
	}
	return m, CheckExactlyOnce(res.Send, m.Counts, ed.Recipients)
}

// cpuTimes reads the CPU time of each process, of the bench process
// (cpuBench) and of the whole machine (cpuMachine); one it cannot read is
// left out.
func cpuTimes(ps []*Proc) map[string]float64 {
	out := make(map[string]float64, len(ps)+2)
	for _, p := range ps {
		if t, err := p.CPUSeconds(); err == nil {
			out[p.Name] = t
		}
	}
	out[cpuBench] = selfCPUSeconds()
	if t, err := machineCPUSeconds(); err == nil {
		out[cpuMachine] = t
	}
	return out
}

// StartEdition starts NewsletterWorkflow for ed on the product's task queue.
func StartEdition(ctx context.Context, c client.Client, ed Edition) (string, error) {
	in := workflows.Input{Edition: ed.ID, Source: ed.Source, Approvers: []string{Approver},
		ApprovalTimeout: workflows.Duration(time.Hour), Force: true}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.WorkflowID(ed.ID), TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.StatusKey.ValueSet(workflows.StageStarting), workflows.EditionKey.ValueSet(ed.ID)),
	}, workflows.WorkflowName, in)
	if err != nil {
		return "", fmt.Errorf("start edition %s: %w", ed.ID, err)
	}
	return run.GetID(), nil
}

// WaitStage polls the status query until the run reaches stage.
func WaitStage(ctx context.Context, c client.Client, id, stage string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	last := ""
	for time.Now().Before(deadline) {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := c.QueryWorkflow(qctx, id, "", workflows.QueryStatus)
		cancel()
		var st workflows.Status
		if err == nil && v.Get(&st) == nil {
			last = st.Stage
			switch st.Stage {
			case stage:
				return nil
			case workflows.StageFailed:
				return fmt.Errorf("%s failed: %v", id, st.Errors)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not reach stage %s within %s (last: %q)", id, stage, wait, last)
}

// HistorySize counts a run's history events and sums their encoded sizes.
func HistorySize(ctx context.Context, c client.Client, id string) (events, bytes int, err error) {
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return 0, 0, fmt.Errorf("history of %s: %w", id, err)
		}
		events++
		bytes += proto.Size(ev)
	}
	return events, bytes, nil
}

// WaitDelivered polls the CRM's delivery log until want deliveries of the
// newsletter have status, and returns the counts by status. A delivery
// that failed ends the wait at once.
func WaitDelivered(ctx context.Context, c *crmclient.Client, newsletterID, status string, want int, crmProc *Proc) (map[string]int, error) {
	var counts map[string]int
	stalled, last := time.Now(), -1
	// Each poll counts the whole log in the CRM's one database connection;
	// large sends are polled less often so the poll does not slow them.
	every := time.Second + time.Duration(want/100000)*time.Second
	for {
		page, err := c.Deliveries(ctx, newsletterID, status, "", 1)
		if err != nil {
			return counts, fmt.Errorf("delivery log of %s: %w", newsletterID, err)
		}
		counts = page.Counts
		switch {
		case counts[status] >= want:
			return counts, nil
		case counts[crm.DeliveryFailed] > 0:
			return counts, fmt.Errorf("delivery log of %s: %d deliveries failed (counts %v)", newsletterID, counts[crm.DeliveryFailed], counts)
		case counts[status] != last:
			stalled, last = time.Now(), counts[status]
		case time.Since(stalled) > 2*time.Minute:
			return counts, fmt.Errorf("delivery log of %s: stuck at %d of %d %s for 2 minutes (counts %v)", newsletterID, last, want, status, counts)
		}
		select {
		case <-ctx.Done():
			return counts, ctx.Err()
		case <-crmProc.Exited():
			return counts, fmt.Errorf("the CRM exited while delivering: %w", errors.Join(crmProc.Err(), errors.New("see its log")))
		case <-time.After(every):
		}
	}
}

// CheckExactlyOnce checks the delivery log against the run's own counts:
// want rows, all of them accepted once, none rejected. The log's unique
// (newsletter, address) index means rows == distinct recipients.
func CheckExactlyOnce(send activitytypes.SendResult, counts map[string]int, want int) error {
	rows := 0
	for _, n := range counts {
		rows += n
	}
	var errs []error
	if rows != want {
		errs = append(errs, fmt.Errorf("delivery log holds %d rows, want %d (counts %v)", rows, want, counts))
	}
	if send.Accepted+send.Duplicate != rows {
		errs = append(errs, fmt.Errorf("run counted %d accepted + %d duplicate, but the log holds %d rows", send.Accepted, send.Duplicate, rows))
	}
	if send.Rejected != 0 || !send.Done {
		errs = append(errs, fmt.Errorf("run send result %+v: want done with nothing rejected", send))
	}
	return errors.Join(errs...)
}
