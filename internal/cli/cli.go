// Package cli is the starter's command line: start a run, approve, reject,
// refresh, check status, preview, and render a document locally with no
// Temporal at all. The starter main passes it the arguments and the
// environment it read.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/internal/app"
)

// Env is the configuration the starter read from its environment.
type Env struct {
	// Lookup returns an environment variable.
	Lookup func(string) string
	Stdout io.Writer
	Stderr io.Writer
	// Dial connects to Temporal; nil dials with app.TemporalOptions.
	Dial func(ctx context.Context) (client.Client, error)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *Env, args []string) error
}

func commands() []command {
	return []command{
		{"start", "start the newsletter workflow for an edition", runStart},
		{"approve", "approve an edition with your token (as a Temporal Update; --signal sends the signal)", runApprove},
		{"reject", "reject an edition with your token", runReject},
		{"request-changes", "ask the editor for changes with your token; the run keeps waiting", runRequestChanges},
		{"send", "pause, resume or cancel an approved edition's send: send pause|resume|cancel", runSend},
		{"test-send", "send an edition awaiting approval to test addresses and seed lists, marked [Test]", runTestSend},
		{"refresh", "re-fetch and re-render an edition awaiting approval", runRefresh},
		{"status", "show an edition's stage, decisions, changes and send progress", runStatus},
		{"report", "print what an edition achieved: deliveries, clicks by section, opens, web views (--json)", runReport},
		{"preview", "write an edition's rendered channels to a folder or stdout", runPreview},
		{"render", "render a document locally, no Temporal needed", runRender},
		{"social", "social edit: change the posts at approval; social delete: remove a post", runSocial},
		{"suggest", "render a document locally and print the model's suggestions (AI_MODEL)", runSuggest},
		{"artifacts", "prune the artifact store: artifacts prune --keep-editions N", runArtifacts},
		{"schedule", "create, update, describe, list, pause, unpause, trigger, backfill or delete the weekly schedule", runSchedule},
		{"watch", "create, list, describe, pause, resume, check or delete a watcher that refreshes the edition when its document changes", runWatch},
	}
}

// Run runs the command named by args[0].
func Run(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, e, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	usage(e.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: starter <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'starter <command> -h' for a command's flags and an example.")
	fmt.Fprintln(w, "Temporal is configured as in every Temporal tool: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables.")
}

// flags returns a FlagSet whose -h prints summary, example and flags.
func flags(e *Env, name, summary, example string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "Usage: starter %s [flags]\n\n%s\n\nExample:\n  %s\n\nFlags:\n", name, summary, example)
		fs.PrintDefaults()
	}
	return fs
}

func (e *Env) dial(ctx context.Context) (client.Client, error) {
	if e.Dial != nil {
		return e.Dial(ctx)
	}
	opts, err := app.TemporalOptions(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	if err := app.WithCodec(&opts, e.get("NEWSLETTER_CODEC_KEYS", "")); err != nil {
		return nil, err
	}
	return app.Dial(ctx, opts, 10*time.Second)
}

func (e *Env) get(key, def string) string {
	if e.Lookup != nil {
		if v := e.Lookup(key); v != "" {
			return v
		}
	}
	return def
}

// list is a repeatable, comma-splitting string flag.
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }
func (l *list) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
