package hostile

import (
	"testing"
	"time"
)

// Within runs f and fails tb when f takes longer than d: a document that
// takes that long would hold up its workflow, and under go test -fuzz the
// failure records the input, as a hang otherwise would not be. f goes on
// in the background after the failure; a panic in f crashes the test,
// which the fuzzer records too.
func Within(tb testing.TB, d time.Duration, f func()) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		tb.Fatalf("no result after %s", d)
	}
}
