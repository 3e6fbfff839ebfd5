package bench

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/halcytone/contentgen/workflows"
)

// Binaries are the paths of the product's programs.
type Binaries struct {
	Temporal, Worker, CRM, Platform, Mailpit string
	// SMTPDiscard is bench/cmd/smtpdiscard, the SMTP runs' default sink.
	SMTPDiscard string
}

// BinariesIn returns the programs as make build and make tools leave them
// in dir (the repository's bin/).
func BinariesIn(dir string) Binaries {
	return Binaries{
		Temporal: filepath.Join(dir, "temporal"),
		Worker:   filepath.Join(dir, "worker"),
		CRM:      filepath.Join(dir, "crm"),
		Platform: filepath.Join(dir, "platform"),
		Mailpit:  filepath.Join(dir, "mailpit"),

		SMTPDiscard: filepath.Join(dir, "smtpdiscard"),
	}
}

// TemporalOptions configure a dev server.
type TemporalOptions struct {
	// Path is the temporal CLI.
	Path string
	// Port is the frontend port on 127.0.0.1.
	Port int
	// DBFile persists the server's state, so a restart on the same port
	// finds every run again; empty keeps it in memory.
	DBFile string
	LogDir string
}

// Address is the frontend address, host:port.
func (o TemporalOptions) Address() string { return "127.0.0.1:" + strconv.Itoa(o.Port) }

// StartTemporal starts the Temporal CLI's dev server with the product's
// search attributes, and waits until it answers.
func StartTemporal(ctx context.Context, o TemporalOptions) (*Proc, error) {
	args := []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", strconv.Itoa(o.Port), "--headless",
		"--log-level", "error",
		"--search-attribute", workflows.SearchAttrStatus + "=Keyword",
		"--search-attribute", workflows.SearchAttrEdition + "=Keyword"}
	if o.DBFile != "" {
		args = append(args, "--db-filename", o.DBFile)
	}
	p, err := Start(Command{Name: "temporal", Path: o.Path, Args: args, LogDir: o.LogDir})
	if err != nil {
		return nil, err
	}
	c, err := DialTemporal(ctx, o.Address(), 90*time.Second)
	if err != nil {
		p.Stop(5 * time.Second)
		return nil, fmt.Errorf("temporal dev server on %s: %w (see %s)", o.Address(), err, filepath.Join(o.LogDir, "temporal.log"))
	}
	c.Close()
	return p, nil
}

// DialTemporal connects to the server at addr, retrying until it answers
// or wait has passed.
func DialTemporal(ctx context.Context, addr string, wait time.Duration) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: addr, Namespace: "default", Logger: tlog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Temporal at %s: %w", addr, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
