package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// Sinks of the SMTP runs.
const (
	SinkMailpit = "mailpit"
	SinkDiscard = "discard"
)

// Config is one bench invocation.
type Config struct {
	// Root is the repository (bench/testdata is read from it).
	Root string
	Bin  Binaries
	// WorkDir holds each run's temporary folder (default: the system's).
	WorkDir string
	// Keep leaves the runs' folders (databases, logs) in place.
	Keep bool
	// Worker and CRM tuning: SEND_WINDOW, SEND_PAGE_SIZE, CRM_CONCURRENCY,
	// and the CRM's GOGC (it trades memory for less garbage collection).
	Window, PageSize, CRMConcurrency, CRMGOGC int
	// Log receives progress.
	Log io.Writer
}

// Settings describes the tuning for results.md.
func (c Config) Settings() string {
	return fmt.Sprintf("worker SEND_WINDOW=%d SEND_PAGE_SIZE=%d; CRM on SQLite, CRM_CONCURRENCY=%d GOGC=%d; Temporal dev server in memory",
		c.Window, c.PageSize, c.CRMConcurrency, c.CRMGOGC)
}

func (c Config) workerEnv() []string {
	return []string{"SEND_WINDOW=" + strconv.Itoa(c.Window), "SEND_PAGE_SIZE=" + strconv.Itoa(c.PageSize)}
}

func (c Config) source() string {
	return "markdown:" + filepath.Join(c.Root, "bench", "testdata", "edition.md")
}

// run starts a stack in a fresh folder, sends one edition to n generated
// contacts and stops the stack.
func (c Config) run(ctx context.Context, name string, n int, crmEnv []string, status string) (Measure, error) {
	dir, err := os.MkdirTemp(c.WorkDir, "bench-"+name+"-")
	if err != nil {
		return Measure{}, fmt.Errorf("bench %s: %w", name, err)
	}
	if !c.Keep {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(c.Log, "%s: %d recipients; seeding and starting the stack in %s\n", name, n, dir)
	began := time.Now()
	s, err := StartStack(ctx, StackOptions{Bin: c.Bin, Dir: dir, Contacts: n, CRMEnv: crmEnv,
		WorkerEnv: c.workerEnv()})
	defer s.Close()
	if err != nil {
		return Measure{}, fmt.Errorf("bench %s: %w (logs in %s)", name, err, filepath.Join(dir, "logs"))
	}
	fmt.Fprintf(c.Log, "%s: stack up in %.1fs (%s); sending\n", name, time.Since(began).Seconds(), trimNL(s.Seeded))
	m, err := s.Send(ctx, Edition{ID: "2026-W10", Source: c.source(), Recipients: n, Status: status})
	if err != nil {
		return m, fmt.Errorf("bench %s: %w (logs in %s; BENCH_KEEP=1 keeps them)", name, err, filepath.Join(dir, "logs"))
	}
	fmt.Fprintf(c.Log, "%s: accepted in %.2fs (CPU seconds meanwhile: %s), all %s in %.2fs; counts %v\n",
		name, m.Seconds, formatCPU(m.CPUSeconds), status, m.DeliveredSeconds, m.Counts)
	return m, nil
}

// RunSize measures a send to n recipients in the CRM's log delivery mode.
func (c Config) RunSize(ctx context.Context, n int) (Measure, error) {
	env := []string{"CRM_DELIVERY_MODE=log", "CRM_CONCURRENCY=" + strconv.Itoa(c.CRMConcurrency), "GOGC=" + strconv.Itoa(c.CRMGOGC)}
	return c.run(ctx, strconv.Itoa(n), n, env, crm.DeliveryLogged)
}

// RunSMTP measures a send to n recipients delivered over SMTP to sink, and
// returns its BENCH_SMTP line: the rate is recipients over the time from
// approval until the last message was handed to the SMTP server.
func (c Config) RunSMTP(ctx context.Context, sink string, n int) (string, error) {
	port, err := FreePort()
	if err != nil {
		return "", err
	}
	var received func() (int64, error)
	switch sink {
	case SinkDiscard:
		d, err := ListenDiscardSMTP("127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer d.Close()
		port = d.Addr().Port
		received = func() (int64, error) { return d.Messages(), nil }
	case SinkMailpit:
		stop, count, err := c.startMailpit(ctx, port)
		if err != nil {
			return "", err
		}
		defer stop()
		received = count
	default:
		return "", fmt.Errorf("bench smtp: unknown sink %q: want %s or %s", sink, SinkMailpit, SinkDiscard)
	}
	// SMTP waits on the network, so more messages go out at once than in
	// the CPU-bound log mode.
	concurrency := max(c.CRMConcurrency, 16)
	env := []string{"CRM_DELIVERY_MODE=smtp", "SMTP_HOST=127.0.0.1", "SMTP_PORT=" + strconv.Itoa(port), "SMTP_TLS=none",
		"CRM_CONCURRENCY=" + strconv.Itoa(concurrency), "GOGC=" + strconv.Itoa(c.CRMGOGC)}
	m, err := c.run(ctx, "smtp-"+sink, n, env, crm.DeliverySent)
	if err != nil {
		return "", err
	}
	got, err := received()
	if err != nil {
		return "", err
	}
	// The approver's proof goes through the same server.
	if got != int64(n)+1 {
		return "", fmt.Errorf("bench smtp %s: the server received %d messages, want %d recipients and 1 proof", sink, got, n)
	}
	return fmt.Sprintf("BENCH_SMTP sink=%s recipients=%d seconds=%.2f recipients_per_s=%.0f accepted_seconds=%.2f crm_concurrency=%d crm_peak_rss_mb=%.1f",
		sink, n, m.DeliveredSeconds, float64(n)/m.DeliveredSeconds, m.Seconds, concurrency, m.CRMPeakRSSMB), nil
}

func formatCPU(cpu map[string]float64) string {
	var parts []string
	for _, name := range []string{"worker", "crm", "temporal", "platform"} {
		if t, ok := cpu[name]; ok {
			parts = append(parts, fmt.Sprintf("%s %.1f", name, t))
		}
	}
	return strings.Join(parts, ", ")
}

func trimNL(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}
