package chaos

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// tally adds up every fault run of the test binary for the CHAOS line.
var tally struct {
	sync.Mutex
	runs, recipients, lost, duplicated int
}

func record(c check) {
	tally.Lock()
	defer tally.Unlock()
	tally.runs++
	tally.recipients += c.recipients
	tally.lost += c.lost
	tally.duplicated += c.duplicated
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chaos-worker-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	workerBuildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	if tally.runs > 0 {
		fmt.Printf("CHAOS runs=%d recipients=%d lost=%d duplicated=%d\n", tally.runs, tally.recipients, tally.lost, tally.duplicated)
	}
	os.Exit(code)
}
