// Command crm runs the reference CRM: "crm serve" starts the HTTP API and
// the SMTP dispatcher, "crm import" loads contacts from a CSV file, "crm
// seed" bulk-inserts generated contacts for load tests.
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

// getenv reads the process environment; only the commands read it.
var getenv = service.Getenv(os.Getenv)
