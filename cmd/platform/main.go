// Command platform runs the reference Platform: "platform serve" starts the
// updates API, the public update pages and their RSS feed.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/halcytone/contentgen/internal/service"
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

// getenv reads the process environment; only the commands read it.
var getenv = service.Getenv(os.Getenv)
