// Package devserver starts the Temporal CLI's dev server from ./bin for
// tests, with the product's search attributes registered.
package devserver

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/workflows"
)

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Tool returns the path of a binary in bin/, skipping the test when it is
// missing outside CI (make test installs it; under CI=true it must exist).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(t), "bin", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; 'make tools' installs it", p)
		}
		t.Skipf("%s is missing; run 'make tools' to install it", p)
	}
	return p
}

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
	path := Tool(t, "temporal")
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
