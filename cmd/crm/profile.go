package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// startProfiles starts the profiles CRM_CPU_PROFILE and CRM_MEM_PROFILE ask
// for; stop ends them and writes what is buffered.
func startProfiles(ctx context.Context, cpuPath, memPath string) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return stop, fmt.Errorf("CRM_CPU_PROFILE: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, fmt.Errorf("CRM_CPU_PROFILE: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); _ = f.Close() })
	}
	if memPath != "" {
		// Finer sampling than the default 512 KB: the CRM's heap is tens
		// of megabytes, held by many small requests and connections.
		runtime.MemProfileRate = 64 << 10
		p := &peakHeap{path: memPath, every: 50 * time.Millisecond}
		if err := p.write(); err != nil {
			return stop, fmt.Errorf("CRM_MEM_PROFILE: %w", err)
		}
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); p.watch(ctx) }()
		stops = append(stops, func() { cancel(); <-done })
	}
	return stop, nil
}

// peakHeap writes a heap profile each time the live heap (what the last
// collection kept) reaches a new high, so the file shows what was held at
// the process's peak rather than at its end. Each such profile costs a
// collection, so a profiled process holds less garbage than one that is
// not: read peak RSS from runs without it.
type peakHeap struct {
	path  string
	every time.Duration
	peak  uint64
	err   error
}

const liveHeapMetric = "/gc/heap/live:bytes"

func (p *peakHeap) watch(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := p.check(); err != nil && p.err == nil {
			p.err = err
			fmt.Fprintln(os.Stderr, "crm: CRM_MEM_PROFILE:", err)
		}
	}
}

// check writes the profile when the live heap is at a new high, by at
// least a sixteenth, so a slowly creeping heap does not rewrite the file
// on every tick.
func (p *peakHeap) check() (wrote bool, err error) {
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	metrics.Read(sample)
	live := sample[0].Value.Uint64()
	if live <= p.peak+p.peak/16 {
		return false, nil
	}
	// The heap profile is only exact right after a collection that
	// runtime.GC ran; the natural ones publish it a cycle or two late,
	// when much of the peak is gone.
	runtime.GC()
	metrics.Read(sample)
	p.peak = max(live, sample[0].Value.Uint64())
	return true, p.write()
}

// write replaces the profile file at once, so a reader never sees half of
// one.
func (p *peakHeap) write() error {
	tmp, err := os.CreateTemp(filepath.Dir(p.path), filepath.Base(p.path)+".*")
	if err != nil {
		return err
	}
	err = pprof.Lookup("heap").WriteTo(tmp, 0)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
