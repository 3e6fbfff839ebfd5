package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestPeakHeapProfileFollowsNewHighs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crm.heap")
	p := &peakHeap{path: path}
	runtime.GC()
	if _, err := p.check(); err != nil {
		t.Fatal(err)
	}
	hold := make([]byte, 64<<20)
	for i := range hold {
		hold[i] = byte(i)
	}
	runtime.GC()
	wrote, err := p.check()
	if err != nil || !wrote {
		t.Fatalf("64 MB more live heap: wrote %v, %v; want a new profile", wrote, err)
	}
	if p.peak < 64<<20 {
		t.Errorf("peak %d bytes while 64 MB were held", p.peak)
	}
	runtime.KeepAlive(hold)
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("profile file: %d bytes, %v; want a gzipped pprof profile", len(b), err)
	}
	runtime.GC()
	if wrote, err := p.check(); wrote || err != nil {
		t.Errorf("after the heap shrank: wrote %v, %v; want the peak's profile kept", wrote, err)
	}
	if leftovers, _ := filepath.Glob(path + ".*"); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
