package activities_test

import (
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"sync/atomic"
	"time"
)

// profile is the heap profile file of a benchmark step, "" for none.
func profile(step string) string {
	if p := os.Getenv("BENCH_HEAP_PROFILE"); p != "" {
		return p + "." + step
	}
	return ""
}

// livePeak samples the live heap (as of the last GC) until stop is called
// and returns its peak; with a file, it writes a heap profile there each
// time the peak grows by 10 MB.
func livePeak(file string) (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var written uint64
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
				if file != "" && v > written+10<<20 {
					written = v
					if f, err := os.Create(file); err == nil {
						pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
					}
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}
