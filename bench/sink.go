package bench

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// discardName names the discarding server's process and its log.
const discardName = "smtpdiscard"

// smtpSink is where the SMTP runs deliver.
type smtpSink struct {
	host string
	port int
	// proc is the sink's process when the bench started one; its CPU is
	// measured with the stack's.
	proc *Proc
	// received counts the messages the sink took in full, -1 when it
	// cannot; a process of the bench's own is stopped first.
	received func() (int64, error)
	stop     func()
}

// startSink starts the named sink, or names a server at host:port.
func (c Config) startSink(ctx context.Context, sink string) (*smtpSink, error) {
	switch sink {
	case SinkDiscard:
		return c.startDiscard(ctx)
	case SinkMailpit:
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		p, stop, count, err := c.startMailpit(ctx, port)
		if err != nil {
			return nil, err
		}
		return &smtpSink{host: "127.0.0.1", port: port, proc: p, received: count, stop: stop}, nil
	}
	h, p, err := net.SplitHostPort(sink)
	if n, perr := strconv.Atoi(p); err == nil && perr == nil {
		return &smtpSink{host: h, port: n, received: func() (int64, error) { return -1, nil }, stop: func() {}}, nil
	}
	return nil, fmt.Errorf("bench smtp: sink %q: want %s, %s or host:port", sink, SinkDiscard, SinkMailpit)
}

// startDiscard runs the discarding SMTP server (bench/cmd/smtpdiscard) as
// a process of its own, as a peer's server would be: its CPU is measured
// apart from the bench's, and what earlier stages left in the bench's heap
// does not slow it.
func (c Config) startDiscard(ctx context.Context) (*smtpSink, error) {
	if _, err := os.Stat(c.Bin.SMTPDiscard); err != nil {
		return nil, fmt.Errorf("bench smtp: %s is missing: run 'make build' first", c.Bin.SMTPDiscard)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(c.WorkDir, "bench-smtpdiscard-")
	if err != nil {
		return nil, fmt.Errorf("bench smtp: %w", err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	p, err := Start(Command{Name: discardName, Path: c.Bin.SMTPDiscard, LogDir: dir, Args: []string{"-addr", addr, "-report", "0"}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	stop := func() {
		p.Stop(10 * time.Second)
		if !c.Keep {
			os.RemoveAll(dir)
		}
	}
	if err := waitListening(ctx, p, addr, 30*time.Second); err != nil {
		stop()
		return nil, err
	}
	received := func() (int64, error) {
		p.Stop(10 * time.Second)
		return lastReceived(filepath.Join(dir, discardName+".log"))
	}
	return &smtpSink{host: "127.0.0.1", port: port, proc: p, received: received, stop: stop}, nil
}

// waitListening dials addr until it answers, p ends or wait has passed.
func waitListening(ctx context.Context, p *Proc, addr string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-p.Exited():
			return fmt.Errorf("%s exited before it listened on %s: %v (see its log)", p.Name, addr, p.Err())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not listen on %s within %s", p.Name, addr, wait)
		}
	}
}

// lastReceived reads the count of smtpdiscard's last "received N messages"
// line in its log.
func lastReceived(log string) (int64, error) {
	f, err := os.Open(log)
	if err != nil {
		return 0, fmt.Errorf("smtpdiscard count: %w", err)
	}
	defer f.Close()
	n := int64(-1)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "received ")
		count, _, _ := strings.Cut(rest, " ")
		if v, err := strconv.ParseInt(count, 10, 64); ok && err == nil {
			n = v
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("smtpdiscard count: %w", err)
	}
	if n < 0 {
		return 0, fmt.Errorf("smtpdiscard count: no \"received N messages\" line in %s", log)
	}
	return n, nil
}
