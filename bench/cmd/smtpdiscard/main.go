// Command smtpdiscard is an SMTP server that accepts every message and
// throws it away, printing how many it received: a sink for measuring how
// fast the CRM delivers over real SMTP.
//
//	smtpdiscard -addr 127.0.0.1:2525
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/halcytone/contentgen/bench"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "listen address")
	every := flag.Duration("report", 5*time.Second, "how often to print the count (0: only at exit)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := bench.ListenDiscardSMTP(*addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smtpdiscard:", err)
		os.Exit(1)
	}
	defer d.Close()
	fmt.Printf("smtpdiscard listening on %s\n", d.Addr())
	var tick <-chan time.Time
	if *every > 0 {
		t := time.NewTicker(*every)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-tick:
			fmt.Printf("received %d messages, %d bytes\n", d.Messages(), d.Bytes())
		case <-ctx.Done():
			fmt.Printf("received %d messages, %d bytes\n", d.Messages(), d.Bytes())
			return
		}
	}
}
