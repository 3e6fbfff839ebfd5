// Command crm runs the reference CRM: "crm serve" starts the HTTP API and
// the SMTP dispatcher, "crm import" loads contacts from a CSV file, "crm
// seed" bulk-inserts generated contacts for load tests.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

const usage = `Usage: crm <command> [flags]

Commands:
  serve    run the CRM API, the unsubscribe pages and the SMTP dispatcher
  import   load contacts from a CSV file (email,name,segments,attributes…)
  seed     bulk-insert generated contacts for load tests (crm seed --generate N)

Examples:
  CRM_API_KEYS=dev-key crm serve
  CRM_API_KEYS=new-key,old-key DATABASE_URL=postgres://crm@localhost/crm crm serve -addr :8081
  CRM_API_KEYS=dev-key CRM_DELIVERY_MODE=log CRM_CONCURRENCY=16 crm serve
  crm import --file examples/contacts.csv
  crm seed --generate 100000
  CRM_API_KEY=dev-key crm import --file examples/contacts.csv --url http://127.0.0.1:8081

Run "crm <command> -h" for the flags and environment of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "import":
		return importCSV(ctx, args[1:], stdout, stderr)
	case "seed":
		return seed(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(env(key, "")); err == nil {
		return n
	}
	return def
}

func envFloat(key string, def float64) float64 {
	if f, err := strconv.ParseFloat(env(key, ""), 64); err == nil {
		return f
	}
	return def
}

// newLogger builds the process logger: format "text" or "json", level
// "debug", "info", "warn" or "error".
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}
