// Command bench measures a newsletter send end to end: for each size it
// starts the Temporal dev server, the worker, the reference CRM (log
// delivery mode, SQLite) and Platform as separate processes from bin/,
// seeds that many generated contacts, approves an edition, and prints one
// BENCH line; then it sends through real SMTP servers and updates
// bench/results.md. Run "make build tools" first.
//
//	BENCH_SIZES=10000 go run ./bench/cmd/bench
//
// Environment: BENCH_SIZES (default 10000,100000,1000000; "none" skips),
// BENCH_SOURCE (the edition's Markdown file, default
// bench/testdata/edition.md, and edition-25k.md for the SMTP sends), BENCH_SMTP_ADDR (host:port of an SMTP server
// to send to; default: the discarding server bin/smtpdiscard, started as a
// process of its own for each send), BENCH_SMTP
// (sinks when BENCH_SMTP_ADDR is not set: discard, mailpit; default discard;
// "none" skips), BENCH_SMTP_SIZES (default 20000,100000), BENCH_SMTP_DKIM
// (off, on for Ed25519, rsa for RSA-2048, dual for both signatures;
// default off,on), BENCH_SMTP_DB (the CRM's database for the SMTP sends:
// sqlite, postgres for a private server started from the machine's
// PostgreSQL binaries, or both; default sqlite),
// BENCH_DOC_SIZES (the document-size sweep in bytes of Markdown, default
// 2 KB, 100 KB, 1 MB, 5 MB; "none" skips), BENCH_DOC_RECIPIENTS (default
// 10000), BENCH_CRM_CPUPROFILE (file for the SMTP runs' CRM CPU profile),
// BENCH_CRM_MEMPROFILE (file for a heap profile of the SMTP runs' CRM at
// its live heap's peak), BENCH_WINDOW and BENCH_PAGE_SIZE (the worker's SEND_WINDOW and
// SEND_PAGE_SIZE; default 8 and 1000), BENCH_WORKER_GOMEMLIMIT (the worker's
// GOMEMLIMIT, default 192MiB as the README recommends for large documents;
// "none" leaves it unset), BENCH_CRM_CONCURRENCY (default 4),
// BENCH_CRM_GOGC (default 400), BENCH_CLICKS (recipients of the send
// during which a tracked link is clicked, default 100000; "none" skips),
// BENCH_CLICKS_SECONDS (default 10) and BENCH_CLICKS_CLIENTS (clients
// clicking at once, default 16), BENCH_BIN (folder of the programs, default
// bin/), BENCH_RESULTS (file to update, "none" skips), BENCH_KEEP=1 (keep
// databases and logs).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/halcytone/contentgen/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) (int, error) {
	v := env(key, strconv.Itoa(def))
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive number", key, v)
	}
	return n, nil
}

func list(key, def string) []string {
	var out []string
	for _, s := range strings.Split(env(key, def), ",") {
		if s = strings.TrimSpace(s); s != "" && s != "none" {
			out = append(out, s)
		}
	}
	return out
}

func docSizes() string {
	var s []string
	for _, n := range bench.DocSizes {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ",")
}

func run(ctx context.Context) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := bench.RepoRoot(wd)
	if err != nil {
		return err
	}
	cfg := bench.Config{Root: root, Bin: bench.BinariesIn(env("BENCH_BIN", filepath.Join(root, "bin"))), Keep: env("BENCH_KEEP", "") == "1", Log: os.Stderr}
	for _, k := range []struct {
		key string
		def int
		to  *int
	}{{"BENCH_WINDOW", 8, &cfg.Window}, {"BENCH_PAGE_SIZE", 1000, &cfg.PageSize}, {"BENCH_CRM_CONCURRENCY", 4, &cfg.CRMConcurrency}, {"BENCH_CRM_GOGC", 400, &cfg.CRMGOGC}} {
		if *k.to, err = envInt(k.key, k.def); err != nil {
			return err
		}
	}
	cfg.Source = env("BENCH_SOURCE", "")
	if cfg.WorkerMemLimit = env("BENCH_WORKER_GOMEMLIMIT", "192MiB"); cfg.WorkerMemLimit == "none" {
		cfg.WorkerMemLimit = ""
	}
	cfg.CRMProfile = env("BENCH_CRM_CPUPROFILE", "")
	cfg.CRMMemProfile = env("BENCH_CRM_MEMPROFILE", "")
	for _, p := range []string{cfg.Bin.Temporal, cfg.Bin.Worker, cfg.Bin.CRM, cfg.Bin.Platform} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("%s is missing: run 'make build tools' first", p)
		}
	}
	report := bench.Report{Machine: bench.DescribeMachine(), Settings: cfg.Settings()}
	for _, s := range list("BENCH_SIZES", "10000,100000,1000000") {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return fmt.Errorf("BENCH_SIZES: %q is not a number of recipients", s)
		}
		m, err := cfg.RunSize(ctx, n)
		if err != nil {
			return err
		}
		fmt.Println(m.Line())
		fmt.Println(m.LoggedLine())
		report.Lines = append(report.Lines, m.Line(), m.LoggedLine())
	}
	docRecipients, err := envInt("BENCH_DOC_RECIPIENTS", 10000)
	if err != nil {
		return err
	}
	for _, s := range list("BENCH_DOC_SIZES", docSizes()) {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return fmt.Errorf("BENCH_DOC_SIZES: %q is not a number of bytes", s)
		}
		m, err := cfg.RunDoc(ctx, n, docRecipients)
		if err != nil {
			return err
		}
		fmt.Println(m.Line())
		report.Lines = append(report.Lines, m.Line())
	}
	sinks := list("BENCH_SMTP", bench.SinkDiscard)
	if addr := env("BENCH_SMTP_ADDR", ""); addr != "" {
		sinks = []string{addr}
	}
	for _, sink := range sinks {
		for _, s := range list("BENCH_SMTP_SIZES", "20000,100000") {
			n, err := strconv.Atoi(s)
			if err != nil || n <= 0 {
				return fmt.Errorf("BENCH_SMTP_SIZES: %q is not a number of recipients", s)
			}
			for _, db := range list("BENCH_SMTP_DB", bench.DBSQLite) {
				for _, dkim := range list("BENCH_SMTP_DKIM", "off,on") {
					line, err := cfg.RunSMTP(ctx, bench.SMTPRun{Sink: sink, Recipients: n, DKIM: dkim, DB: db})
					if err != nil {
						return err
					}
					fmt.Println(line)
					report.Lines = append(report.Lines, line)
				}
			}
		}
	}
	clickSeconds, err := envInt("BENCH_CLICKS_SECONDS", 10)
	if err != nil {
		return err
	}
	clients, err := envInt("BENCH_CLICKS_CLIENTS", 16)
	if err != nil {
		return err
	}
	for _, s := range list("BENCH_CLICKS", "100000") {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return fmt.Errorf("BENCH_CLICKS: %q is not a number of recipients", s)
		}
		line, err := cfg.RunClicks(ctx, bench.ClicksRun{Recipients: n, Duration: time.Duration(clickSeconds) * time.Second, Concurrency: clients})
		if err != nil {
			return err
		}
		fmt.Println(line)
		report.Lines = append(report.Lines, line)
	}
	if out := env("BENCH_RESULTS", filepath.Join(root, "bench", "results.md")); out != "none" && len(report.Lines) > 0 {
		if err := bench.UpdateResults(out, report); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "updated", out)
	}
	return nil
}
