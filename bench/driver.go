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
	"github.com/halcytone/contentgen/internal/pgtest"
)

// Sinks of the SMTP runs.
const (
	SinkMailpit = "mailpit"
	SinkDiscard = "discard"
)

// The CRM's databases a BENCH_SMTP run can use.
const (
	DBSQLite   = "sqlite"
	DBPostgres = "postgres"
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
	// WorkerMemLimit is the worker's GOMEMLIMIT ("" leaves it unset).
	WorkerMemLimit string
	// CRMProfile, when set, is where the CRM of the SMTP runs writes its
	// CPU profile (each run overwrites it).
	CRMProfile string
	// CRMMemProfile, when set, is where the CRM of the SMTP runs writes a
	// heap profile of its live heap's peak (each run overwrites it).
	CRMMemProfile string
	// Source is the edition's Markdown document (default
	// bench/testdata/edition.md, and edition-25k.md for SMTP runs).
	Source string
	// Log receives progress.
	Log io.Writer
}

// Settings describes the tuning for results.md.
func (c Config) Settings() string {
	limit := ""
	if c.WorkerMemLimit != "" {
		limit = " GOMEMLIMIT=" + c.WorkerMemLimit
	}
	return fmt.Sprintf("worker SEND_WINDOW=%d SEND_PAGE_SIZE=%d%s; CRM on SQLite, CRM_CONCURRENCY=%d GOGC=%d; Temporal dev server in memory",
		c.Window, c.PageSize, limit, c.CRMConcurrency, c.CRMGOGC)
}

func (c Config) workerEnv() []string {
	env := []string{"SEND_WINDOW=" + strconv.Itoa(c.Window), "SEND_PAGE_SIZE=" + strconv.Itoa(c.PageSize)}
	if c.WorkerMemLimit != "" {
		env = append(env, "GOMEMLIMIT="+c.WorkerMemLimit)
	}
	return env
}

func (c Config) source() string {
	if c.Source != "" {
		abs, err := filepath.Abs(c.Source)
		if err == nil {
			return "markdown:" + abs
		}
	}
	return "markdown:" + filepath.Join(c.Root, "bench", "testdata", "edition.md")
}

// run starts a stack in a fresh folder, sends one edition to n generated
// contacts and stops the stack.
func (c Config) run(ctx context.Context, name string, n int, crmEnv []string, status string) (Measure, error) {
	m, _, err := c.runSteady(ctx, name, n, crmEnv, status, "", nil)
	return m, err
}

// runSteady is run that also reads, from the CRM's delivery log, the
// steady rate: deliveries between the 10% and 90% marks over the time
// between them. db "postgres" puts the CRM on a private PostgreSQL server
// started for the run; otherwise it is on SQLite. The CPU time of sink,
// when it is a process, is measured with the stack's.
func (c Config) runSteady(ctx context.Context, name string, n int, crmEnv []string, status, db string, sink *Proc) (Measure, float64, error) {
	dir, err := os.MkdirTemp(c.WorkDir, "bench-"+name+"-")
	if err != nil {
		return Measure{}, 0, fmt.Errorf("bench %s: %w", name, err)
	}
	if !c.Keep {
		defer os.RemoveAll(dir)
	}
	fmt.Fprintf(c.Log, "%s: %d recipients; seeding and starting the stack in %s\n", name, n, dir)
	began := time.Now()
	opts := StackOptions{Bin: c.Bin, Dir: dir, Contacts: n, CRMEnv: crmEnv, WorkerEnv: c.workerEnv()}
	logDB := filepath.Join(dir, "crm.db")
	switch db {
	case "", DBSQLite:
	case DBPostgres:
		pg, err := pgtest.Start()
		if err != nil {
			return Measure{}, 0, fmt.Errorf("bench %s: postgres: %w", name, err)
		}
		defer pg.Stop()
		opts.CRMDatabaseURL, logDB = pg.URL, pg.URL
	default:
		return Measure{}, 0, fmt.Errorf("bench %s: database %q: want %s or %s", name, db, DBSQLite, DBPostgres)
	}
	s, err := StartStack(ctx, opts)
	defer s.Close()
	if err != nil {
		return Measure{}, 0, fmt.Errorf("bench %s: %w (logs in %s)", name, err, filepath.Join(dir, "logs"))
	}
	if sink != nil {
		s.Watch = append(s.Watch, sink)
	}
	fmt.Fprintf(c.Log, "%s: stack up in %.1fs (%s); sending\n", name, time.Since(began).Seconds(), trimNL(s.Seeded))
	m, err := s.Send(ctx, Edition{ID: "2026-W10", Source: c.source(), Recipients: n, Status: status})
	if err != nil {
		return m, 0, fmt.Errorf("bench %s: %w (logs in %s; BENCH_KEEP=1 keeps them)", name, err, filepath.Join(dir, "logs"))
	}
	at, err := deliveryTimes(ctx, logDB, status)
	if err != nil {
		return m, 0, fmt.Errorf("bench %s: %w", name, err)
	}
	// The delivery log is polled every second or two; its own time of the
	// last delivery is the measure.
	seen := m.DeliveredSeconds
	m.DeliveredSeconds = time.UnixMilli(at[len(at)-1]).Sub(m.Approved).Seconds()
	fmt.Fprintf(c.Log, "%s: accepted in %.2fs (CPU seconds meanwhile: %s), all %s in %.2fs, seen at %.2fs (CPU seconds: %s); counts %v\n",
		name, m.Seconds, formatCPU(m.CPUSeconds), status, m.DeliveredSeconds, seen, formatCPU(m.DeliveredCPUSeconds), m.Counts)
	return m, steady(at), nil
}

// RunSize measures a send to n recipients in the CRM's log delivery mode.
func (c Config) RunSize(ctx context.Context, n int) (Measure, error) {
	env := []string{"CRM_DELIVERY_MODE=log", "CRM_CONCURRENCY=" + strconv.Itoa(c.CRMConcurrency), "GOGC=" + strconv.Itoa(c.CRMGOGC)}
	return c.run(ctx, strconv.Itoa(n), n, env, crm.DeliveryLogged)
}

// SMTPRun is one BENCH_SMTP measurement.
type SMTPRun struct {
	// Sink is SinkDiscard, SinkMailpit, or the host:port of a server run
	// by someone else.
	Sink       string
	Recipients int
	// DKIM is "off", "on" (Ed25519), "rsa" (RSA-2048) or "dual" (both
	// signatures on every message).
	DKIM string
	// DB is the CRM's database: DBSQLite (default) or DBPostgres.
	DB string
}

// RunSMTP measures a send of r.Recipients delivered over SMTP, and returns
// its BENCH_SMTP line: seconds from approval until the last message was
// accepted by the SMTP server, the steady rate between the 10% and 90%
// marks, and the CRM's and worker's CPU time per message.
func (c Config) RunSMTP(ctx context.Context, r SMTPRun) (string, error) {
	if c.Source == "" {
		// Multipart as newsletters are: ~24 KB of HTML and ~8 KB of text.
		c.Source = filepath.Join(c.Root, "bench", "testdata", "edition-25k.md")
	}
	sink, err := c.startSink(ctx, r.Sink)
	if err != nil {
		return "", err
	}
	defer sink.stop()
	host, port := sink.host, sink.port
	// SMTP waits on the network, so more messages go out at once than in
	// the CPU-bound log mode.
	concurrency := max(c.CRMConcurrency, 16)
	env := []string{"CRM_CPU_PROFILE=" + c.CRMProfile, "CRM_MEM_PROFILE=" + c.CRMMemProfile, "CRM_DELIVERY_MODE=smtp", "SMTP_HOST=" + host, "SMTP_PORT=" + strconv.Itoa(port), "SMTP_TLS=none",
		"CRM_CONCURRENCY=" + strconv.Itoa(concurrency), "GOGC=" + strconv.Itoa(c.CRMGOGC)}
	dkim := "off"
	if r.DKIM != "" && r.DKIM != "off" {
		dir, err := os.MkdirTemp(c.WorkDir, "bench-dkim-")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(dir)
		kinds := []string{r.DKIM}
		if r.DKIM == "dual" {
			kinds = []string{"rsa", "ed25519"}
		}
		var keys, selectors []string
		for i, kind := range kinds {
			sub := filepath.Join(dir, strconv.Itoa(i))
			if err := os.Mkdir(sub, 0o700); err != nil {
				return "", err
			}
			key, err := WriteDKIMKey(sub, kind)
			if err != nil {
				return "", err
			}
			keys, selectors = append(keys, key), append(selectors, "bench"+strconv.Itoa(i))
		}
		env = append(env, "CRM_DKIM_KEY="+strings.Join(keys, ","), "CRM_DKIM_SELECTOR="+strings.Join(selectors, ","))
		dkim = "on"
		if r.DKIM == "rsa" || r.DKIM == "dual" {
			dkim = "on-" + r.DKIM
		}
	}
	load := loadAvg1()
	m, steady, err := c.runSteady(ctx, "smtp-"+r.Sink+"-dkim-"+dkim, r.Recipients, env, crm.DeliverySent, r.DB, sink.proc)
	if err != nil {
		return "", err
	}
	got, err := sink.received()
	if err != nil {
		return "", err
	}
	// The approver's proof goes through the same server. A server of
	// someone else's cannot be counted; the delivery log was checked.
	if got >= 0 && got != int64(r.Recipients)+1 {
		return "", fmt.Errorf("bench smtp %s: the server received %d messages, want %d recipients and 1 proof", r.Sink, got, r.Recipients)
	}
	cpu := m.DeliveredCPUSeconds["crm"] + m.DeliveredCPUSeconds["worker"]
	return fmt.Sprintf("BENCH_SMTP sink=%s recipients=%d seconds=%.2f recipients_per_s=%.0f steady_per_s=%.0f cpu_ms_per_msg=%.3f crm_peak_rss_mb=%.1f dkim=%s",
		r.Sink, r.Recipients, m.DeliveredSeconds, float64(r.Recipients)/m.DeliveredSeconds, steady,
		1000*cpu/float64(r.Recipients), m.CRMPeakRSSMB, dkim) + dbField(r.DB) + cpuFields(m.DeliveredCPUSeconds, sink.proc, load), nil
}

// cpuFields tells, for a BENCH_SMTP line, the CPU seconds the sink
// process, the bench process and everything else on the machine used
// during the send (PostgreSQL's server counts as other), and the
// one-minute load average when it began: a send that competed for the
// CPUs says so.
func cpuFields(cpu map[string]float64, sink *Proc, load string) string {
	ours := 0.0
	for name, t := range cpu {
		if name != cpuMachine {
			ours += t
		}
	}
	s := ""
	if sink != nil {
		if t, ok := cpu[sink.Name]; ok {
			s += fmt.Sprintf(" sink_cpu_s=%.1f", t)
		}
	}
	if t, ok := cpu[cpuBench]; ok {
		s += fmt.Sprintf(" bench_cpu_s=%.1f", t)
	}
	if t, ok := cpu[cpuMachine]; ok {
		s += fmt.Sprintf(" other_cpu_s=%.1f", max(0, t-ours))
	}
	if load != "" {
		s += " load1=" + load
	}
	return s
}

// dbField names the CRM's database on a line, when it is not SQLite.
func dbField(db string) string {
	if db == "" || db == DBSQLite {
		return ""
	}
	return " db=" + db
}

func formatCPU(cpu map[string]float64) string {
	var parts []string
	for _, name := range []string{"worker", "crm", "temporal", "platform", discardName, SinkMailpit, cpuBench, cpuMachine} {
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
