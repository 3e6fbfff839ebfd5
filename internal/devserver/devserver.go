// Package devserver starts the Temporal CLI's dev server from ./bin for
// tests, with the product's search attributes registered.
package devserver

import (
	"context"
	"io"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/internal/testtools"
	"github.com/halcytone/contentgen/workflows"
)

// Options tune Start.
type Options struct {
	// DBFile persists the server's state (so it can be restarted); empty
	// keeps it in memory.
	DBFile string
	// HostPort binds the frontend; empty picks a free port.
	HostPort string
	// UI enables the Web UI on UIPort.
	UI     bool
	UIPort string
	// Log receives the server's output; nil discards it.
	Log io.Writer
}

// SearchAttributes are the product's custom search attributes, as the dev
// server registers them.
func SearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(workflows.StatusKey.ValueSet(""), workflows.EditionKey.ValueSet(""))
}

// Start starts a dev server and stops it when the test ends.
func Start(t testing.TB, o Options) (*testsuite.DevServer, client.Client) {
	t.Helper()
	path := testtools.Tool(t, "temporal")
	out := o.Log
	if out == nil {
		out = io.Discard
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	copts := &client.Options{HostPort: o.HostPort, Namespace: "default"}
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     path,
		ClientOptions:    copts,
		DBFilename:       o.DBFile,
		EnableUI:         o.UI,
		UIPort:           o.UIPort,
		LogLevel:         "error",
		SearchAttributes: SearchAttributes(),
		Stdout:           out,
		Stderr:           out,
	})
	if err != nil {
		t.Fatalf("start Temporal dev server: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv, srv.Client()
}
