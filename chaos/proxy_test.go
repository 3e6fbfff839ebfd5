package chaos

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// Every fault kind is injected within the first requests whatever the
// seed, and a seed always gives the same schedule.
func TestProxyScheduleIsSeededAndComplete(t *testing.T) {
	t.Parallel()
	schedule := func(seed uint64, n int) []Fault {
		p := NewProxy(http.NotFoundHandler(), 0.25, seed)
		var out []Fault
		for range n {
			f, _, _ := p.draw(httptest.NewRequest(http.MethodGet, "/api/v1/recipients", nil))
			out = append(out, f)
		}
		return out
	}
	first := 2 * len(AllFaults())
	for seed := range uint64(500) {
		got := schedule(seed, first+40)
		for _, f := range AllFaults() {
			if !slices.Contains(got[:first], f) {
				t.Fatalf("seed %d: no %s fault in the first %d requests: %v", seed, f, first, got[:first])
			}
		}
		if again := schedule(seed, first+40); !slices.Equal(got, again) {
			t.Fatalf("seed %d gave two schedules:\n%v\n%v", seed, got, again)
		}
	}
	if slices.Equal(schedule(1, first+40), schedule(2, first+40)) {
		t.Error("seeds 1 and 2 gave the same schedule")
	}
	p := NewProxy(http.NotFoundHandler(), 1, 7)
	if f, _, _ := p.draw(httptest.NewRequest(http.MethodGet, "/healthz", nil)); f != FaultNone {
		t.Errorf("a request outside /api/ got fault %s", f)
	}
}
