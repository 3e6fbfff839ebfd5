package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// A server that exits (a port taken, a database it cannot open) is
	// reported at once with the end of its log, not after the whole wait.
	dialCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.Exited():
			cancel()
		case <-dialCtx.Done():
		}
	}()
	logPath := filepath.Join(o.LogDir, "temporal.log")
	c, err := DialTemporal(dialCtx, o.Address(), 90*time.Second)
	if err != nil {
		if !p.Alive() && ctx.Err() == nil {
			status := "exit status 0"
			if perr := p.Err(); perr != nil {
				status = perr.Error()
			}
			err = fmt.Errorf("%w (%s)", ErrTemporalExited, status)
		}
		p.Stop(5 * time.Second)
		return nil, fmt.Errorf("temporal dev server on %s: %w (see %s)%s", o.Address(), err, logPath, logTail(logPath, 2048))
	}
	c.Close()
	return p, nil
}

// ErrTemporalExited says the dev server's process ended before it
// answered.
var ErrTemporalExited = errors.New("the dev server exited before it answered")

// logTail returns the last max bytes of the file at path, on lines of
// their own, or "" when it cannot be read.
func logTail(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > max {
		_, _ = f.Seek(-max, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	if len(b) == 0 {
		return ""
	}
	return "\n" + strings.TrimRight(string(b), "\n")
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
