// Command approvals serves the pages behind the approval links in proof
// emails: "approvals serve" shows what a link decides (GET changes
// nothing) and executes the decision as the workflow's Update when the
// approver presses the button; "approvals new-key" prints a signing key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/service"
	"github.com/halcytone/contentgen/internal/telemetry"
	"github.com/halcytone/contentgen/watchhook"
)

const usage = `Usage: approvals <command> [flags]

Commands:
  serve      serve the approval pages (GET /decide shows, POST /decide decides)
  new-key ID print a fresh APPROVAL_SIGNING_KEYS entry "ID:base64key"

Environment of serve:
  APPROVAL_SIGNING_KEYS  id:base64key[,older-id:base64key…]; the worker's keys (required)
  APPROVALS_ADDR         listen address (default 127.0.0.1:8083)
  APPROVALS_RATE         requests a minute per client address (default 30)
  ARTIFACT_STORE_URL     the worker's artifact store, read for the full-edition preview
                         (default .data/artifacts, as on the worker)
  NEWSLETTER_CODEC_KEYS  the worker's keys, when it encrypts payloads and artifacts
  WATCH_NOTION_VERIFICATION_TOKEN  Notion webhook subscription's token: POST /hooks/notion events
                         signed with it (X-Notion-Signature) make the page's watcher check at once
  WATCH_DRIVE_CHANNEL_TOKEN  token of the Google Drive channel (changes.watch or files.watch) whose
                         notifications to POST /hooks/google-drive make Docs watchers check at once
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables: as in every Temporal tool
The worker's APPROVALS_PUBLIC_URL must be this service's public base URL.

Examples:
  approvals new-key 2026-12
  APPROVAL_SIGNING_KEYS=2026-12:… approvals serve -addr 127.0.0.1:8083
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "approvals:", err)
		os.Exit(1)
	}
}

var getenv = service.Getenv(os.Getenv)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "new-key":
		if len(args) != 2 {
			return errors.New("new-key needs one key ID, e.g. approvals new-key 2026-12")
		}
		entry, err := token.NewKey(args[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, entry)
		return nil
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("approvals serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	addr := fs.String("addr", getenv.String("APPROVALS_ADDR", "127.0.0.1:8083"), "listen address (APPROVALS_ADDR)")
	perMinute := fs.Float64("rate", getenv.Float("APPROVALS_RATE", 30), "requests a minute per client address (APPROVALS_RATE)")
	artifactURL := fs.String("artifact-store", getenv.String("ARTIFACT_STORE_URL", app.DefaultArtifactDir), "the worker's artifact store, read for previews (ARTIFACT_STORE_URL)")
	logFormat := fs.String("log-format", getenv.String("APPROVALS_LOG_FORMAT", "text"), "log format: text or json")
	logLevel := fs.String("log-level", getenv.String("APPROVALS_LOG_LEVEL", "info"), "log level")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if err := getenv.RefusePlaceholders("APPROVAL_SIGNING_KEYS", "NEWSLETTER_CODEC_KEYS", "TEMPORAL_API_KEY",
		"WATCH_NOTION_VERIFICATION_TOKEN", "WATCH_DRIVE_CHANNEL_TOKEN"); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	spec := getenv("APPROVAL_SIGNING_KEYS")
	if spec == "" {
		return errors.New("serve: APPROVAL_SIGNING_KEYS is not set; give the worker's keys (a new one: approvals new-key k1)")
	}
	keys, err := token.ParseKeys(spec)
	if err != nil {
		return err
	}
	log, err := telemetry.NewLogger(stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}
	opts, err := app.TemporalOptions(log)
	if err != nil {
		return err
	}
	if err := app.WithCodec(&opts, getenv("NEWSLETTER_CODEC_KEYS")); err != nil {
		return err
	}
	store, err := app.ArtifactStore(ctx, *artifactURL, getenv("NEWSLETTER_CODEC_KEYS"))
	if err != nil {
		return err
	}
	defer store.Close()
	c, err := app.Dial(ctx, opts, 30*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	log.Info("approvals configured", "artifactStore", store.Name(), "artifactsEncrypted", store.Encrypted())
	srv := approvals.New(approvals.Config{Temporal: c, Keys: keys, Artifacts: store, Logger: log, RatePerMinute: *perMinute})
	hooks := watchhook.New(watchhook.Config{Temporal: c, Logger: log,
		NotionVerificationToken: getenv("WATCH_NOTION_VERIFICATION_TOKEN"), DriveChannelToken: getenv("WATCH_DRIVE_CHANNEL_TOKEN")})
	return service.Serve(ctx, "approvals", *addr, withHooks(srv.Handler(), hooks), log, nil)
}

// withHooks serves the push notifications of document changes beside the
// approval pages, outside their per-address rate limit: Notion and Google
// send from few addresses, and each notification is checked by signature.
func withHooks(pages, hooks http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/hooks/", hooks)
	mux.Handle("/", pages)
	return mux
}
