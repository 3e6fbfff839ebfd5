// Command platform runs the reference Platform: "platform serve" starts the
// updates API, the public update pages and their RSS feed.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `Usage: platform <command> [flags]

Commands:
  serve    run the Platform API (/api/v1/updates, /api/v1/stats) and the
           public pages (/updates, /updates/{slug}, /updates/feed.xml)

Examples:
  PLATFORM_API_KEYS=dev-key platform serve
  PLATFORM_API_KEYS=new-key,old-key DATABASE_URL=postgres://platform@localhost/platform platform serve -addr :8082
  PLATFORM_API_KEYS=dev-key PLATFORM_PUBLIC_URL=https://halcytone.com platform serve -stats figures.json

Run "platform serve -h" for its flags and environment.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "platform:", err)
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
