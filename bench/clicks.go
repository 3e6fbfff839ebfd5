package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/workflows"
)

// ClicksRun is one BENCH_CLICKS measurement: readers clicking a tracked
// link while the CRM sends an edition over SMTP.
type ClicksRun struct {
	// Recipients of the send running meanwhile.
	Recipients int
	// Duration of the clicking; Concurrency is how many clients click at
	// once, each on its own kept-alive connection.
	Duration    time.Duration
	Concurrency int
}

// trackedLinkRE finds a tracked link in a quoted-printable message once
// soft line breaks are removed.
var trackedLinkRE = regexp.MustCompile(`https?://[^\s"<>]+/r/[0-9A-Za-z._-]+`)

// RunClicks sends r.Recipients through the discarding SMTP server and,
// once the first message with a tracked link has gone out, clicks that
// link from r.Concurrency clients for r.Duration while the send goes on.
// It returns the BENCH_CLICKS line: clicks per second, the p50 and p99 of
// the redirect's latency as the clients saw it, the messages the send
// delivered meanwhile, and the clicks the CRM's report counted.
func (c Config) RunClicks(ctx context.Context, r ClicksRun) (string, error) {
	if c.Source == "" {
		c.Source = filepath.Join(c.Root, "bench", "testdata", "edition-25k.md")
	}
	sink, err := ListenDiscardSMTP("127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer sink.Close()
	const edition = "2026-W10"
	// Proofs go through the CRM too, with tracked links of their own: keep
	// a message of the edition itself.
	sink.Keep(server.HeaderNewsletterID + ": " + workflows.WorkflowID(edition) + "\r\n")
	dir, err := os.MkdirTemp(c.WorkDir, "bench-clicks-")
	if err != nil {
		return "", fmt.Errorf("bench clicks: %w", err)
	}
	if !c.Keep {
		defer os.RemoveAll(dir)
	}
	env := []string{"CRM_DELIVERY_MODE=smtp", "SMTP_HOST=127.0.0.1", "SMTP_PORT=" + strconv.Itoa(sink.Addr().Port), "SMTP_TLS=none",
		"CRM_CONCURRENCY=" + strconv.Itoa(max(c.CRMConcurrency, 16)), "GOGC=" + strconv.Itoa(c.CRMGOGC), "CRM_CPU_PROFILE=" + c.CRMProfile}
	fmt.Fprintf(c.Log, "clicks: %d recipients; seeding and starting the stack in %s\n", r.Recipients, dir)
	s, err := StartStack(ctx, StackOptions{Bin: c.Bin, Dir: dir, Contacts: r.Recipients, CRMEnv: env, WorkerEnv: c.workerEnv()})
	defer s.Close()
	if err != nil {
		return "", fmt.Errorf("bench clicks: %w (logs in %s)", err, filepath.Join(dir, "logs"))
	}
	sendCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	sent := make(chan error, 1)
	go func() {
		_, err := s.Send(sendCtx, Edition{ID: edition, Source: c.source(), Recipients: r.Recipients, Status: crm.DeliverySent})
		sent <- err
	}()
	link, err := waitTrackedLink(ctx, sink, sent)
	if err != nil {
		return "", fmt.Errorf("bench clicks: %w", err)
	}
	fmt.Fprintf(c.Log, "clicks: clicking %s from %d clients for %s while the send runs\n", link, r.Concurrency, r.Duration)
	before, loadBefore := sink.Messages(), loadAvg1()
	crmCPU0, _ := s.CRM.CPUSeconds()
	selfCPU0 := selfCPUSeconds()
	res, err := clickFor(ctx, link, r.Concurrency, r.Duration)
	during, loadAfter := sink.Messages()-before, loadAvg1()
	crmCPU1, _ := s.CRM.CPUSeconds()
	selfCPU := selfCPUSeconds() - selfCPU0
	if err != nil {
		return "", fmt.Errorf("bench clicks: %w", err)
	}
	if err := <-sent; err != nil {
		return "", fmt.Errorf("bench clicks: the send: %w (logs in %s; BENCH_KEEP=1 keeps them)", err, filepath.Join(dir, "logs"))
	}
	rep, err := s.CRMClient.Report(ctx, workflows.WorkflowID(edition))
	if err != nil {
		return "", fmt.Errorf("bench clicks: report: %w", err)
	}
	if rep.ClicksTotal+rep.MachineClicks != res.clicks {
		return "", fmt.Errorf("bench clicks: the CRM counted %d clicks and %d machine clicks, the clients made %d", rep.ClicksTotal, rep.MachineClicks, res.clicks)
	}
	return fmt.Sprintf("BENCH_CLICKS sink=discard recipients=%d clients=%d seconds=%.2f clicks=%d clicks_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f sent_meanwhile=%d sent_per_s_meanwhile=%.0f counted=%d machine=%d crm_cpu_s=%.2f bench_cpu_s=%.2f load1_before=%s load1_after=%s",
		r.Recipients, r.Concurrency, res.seconds, res.clicks, float64(res.clicks)/res.seconds, ms(res.p50), ms(res.p99), ms(res.max),
		during, float64(during)/res.seconds, rep.ClicksTotal, rep.MachineClicks,
		crmCPU1-crmCPU0, selfCPU, loadBefore, loadAfter), nil
}

// selfCPUSeconds is the CPU time the bench process used so far: the
// clicking clients and the discarding SMTP server.
func selfCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// loadAvg1 is the one-minute load average, "?" when unknown: other work on
// the machine shares the cores the clicks are measured on.
func loadAvg1() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// waitTrackedLink waits for the first message with a tracked link and
// returns that link.
func waitTrackedLink(ctx context.Context, sink *DiscardSMTP, sent <-chan error) (string, error) {
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); {
		if m := sink.Sample(); m != nil {
			body := strings.ReplaceAll(strings.ReplaceAll(string(m), "=\r\n", ""), "=3D", "=")
			link := trackedLinkRE.FindString(body)
			if link == "" {
				return "", errors.New("the message kept holds no tracked link")
			}
			return link, nil
		}
		select {
		case err := <-sent:
			return "", fmt.Errorf("the send ended (%v) before any message with a tracked link went out; is tracking on?", err)
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return "", errors.New("no message with a tracked link within 5 minutes")
}

type clickResult struct {
	clicks        int
	seconds       float64
	p50, p99, max time.Duration
}

// clickFor GETs link from n clients until d has passed; every answer must
// be a 302.
func clickFor(ctx context.Context, link string, n int, d time.Duration) (clickResult, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n, DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	lat := make([][]time.Duration, n)
	errs := make([]error, n)
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("User-Agent", "Mozilla/5.0 (bench) reader/"+strconv.Itoa(i))
			for time.Now().Before(end) {
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					errs[i] = err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = append(lat[i], time.Since(t0))
				if resp.StatusCode != http.StatusFound {
					errs[i] = fmt.Errorf("click answered %d, want 302", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return clickResult{}, err
	}
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return clickResult{}, errors.New("no click was made")
	}
	slices.Sort(all)
	q := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return clickResult{clicks: len(all), seconds: elapsed.Seconds(), p50: q(0.50), p99: q(0.99), max: all[len(all)-1]}, nil
}
