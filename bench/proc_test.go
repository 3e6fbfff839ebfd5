package bench

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseVmHWM(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    float64
		wantErr bool
	}{
		{"linux status", "Name:\tworker\nVmPeak:\t 2000000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t 100000 kB\n", 150, false},
		{"no VmHWM", "Name:\tworker\n", 0, true},
		{"garbage", "VmHWM:\tlots kB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM(strings.NewReader(tt.status))
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("parseVmHWM = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	// The command name may hold spaces and parentheses.
	stat := "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 1000 0 0"
	got, err := parseStatCPU(stat)
	if err != nil || got != 3 {
		t.Errorf("parseStatCPU = %v, %v; want 3 s (250+50 ticks)", got, err)
	}
	if _, err := parseStatCPU("4242 (short) S 1"); err == nil {
		t.Error("a truncated stat line parsed")
	}
}

func TestProcKillAndPeakRSS(t *testing.T) {
	p, err := Start(Command{Name: "sleeper", Path: "/bin/sh", Args: []string{"-c", "sleep 30"}, LogDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if mb, err := p.PeakRSSMB(); err != nil || mb <= 0 {
		t.Errorf("PeakRSSMB = %v, %v; want a positive figure", mb, err)
	}
	if _, err := p.CPUSeconds(); err != nil {
		t.Errorf("CPUSeconds: %v", err)
	}
	start := time.Now()
	p.Kill()
	if p.Alive() || p.Err() == nil || time.Since(start) > 5*time.Second {
		t.Errorf("after Kill: alive %v, err %v, took %s", p.Alive(), p.Err(), time.Since(start))
	}
}

// A dev server that exits before it answers is reported at once, with
// ErrTemporalExited, not after the whole wait for it to answer.
func TestStartTemporalReportsAnExitAtOnce(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "temporal")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'listen tcp: address already in use' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = StartTemporal(context.Background(), TemporalOptions{Path: script, Port: port, LogDir: dir})
	if !errors.Is(err, ErrTemporalExited) {
		t.Fatalf("StartTemporal = %v, want ErrTemporalExited", err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the exit was reported after %s, want at once", took)
	}
	if !strings.Contains(err.Error(), "address already in use") || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("the error lacks the exit status or the server's log: %v", err)
	}
}
