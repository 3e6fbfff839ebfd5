package server

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/halcytone/contentgen/platform"
)

func statKeys(stats []platform.Stat) []string {
	var keys []string
	for _, st := range stats {
		keys = append(keys, st.Key)
	}
	return keys
}

// testStats runs in TestStore, on both databases.
func testStats(t *testing.T, s *Server) {
	ctx := context.Background()
	seeded, err := s.stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"active_breathers", "sessions_completed_week", "minutes_breathed", "devices_shipped"}
	if !reflect.DeepEqual(statKeys(seeded.Stats), want) || seeded.Stats[0].Value != 12480 || seeded.AsOf.IsZero() {
		t.Fatalf("seeded stats %+v, want %v in order with values", seeded, want)
	}

	set := []platform.Stat{
		{Key: "active_breathers", Label: "Active breathers", Value: 15001.5, Unit: "people"},
		{Key: "countries", Label: "Countries", Value: 42},
	}
	before := time.Now().Add(-time.Second)
	if err := s.SetStats(ctx, set); err != nil {
		t.Fatal(err)
	}
	got, err := s.stats(ctx)
	if err != nil || !reflect.DeepEqual(got.Stats, set) || got.AsOf.Before(before) {
		t.Fatalf("after SetStats: %+v %v, want %+v as of now", got, err, set)
	}

	// Seeding adds what is missing and keeps what was set.
	seed := []platform.Stat{
		{Key: "countries", Label: "Countries", Value: 1},
		{Key: "devices_shipped", Label: "Devices shipped", Value: 3150, Unit: "devices"},
	}
	if err := s.SeedStats(ctx, seed); err != nil {
		t.Fatal(err)
	}
	got, err = s.stats(ctx)
	wantAfterSeed := append(append([]platform.Stat{}, set...), seed[1])
	if err != nil || !reflect.DeepEqual(got.Stats, wantAfterSeed) {
		t.Fatalf("after SeedStats: %+v %v, want %+v", got.Stats, err, wantAfterSeed)
	}

	bad := map[string][]platform.Stat{
		"missing label": {{Key: "a"}},
		"duplicate key": {{Key: "a", Label: "A"}, {Key: "a", Label: "A"}},
		"not a number":  {{Key: "a", Label: "A", Value: math.NaN()}},
	}
	for name, stats := range bad {
		if err := s.SetStats(ctx, stats); err == nil {
			t.Errorf("SetStats with %s: no error", name)
		}
	}
	if got, _ := s.stats(ctx); len(got.Stats) != 3 {
		t.Errorf("a refused SetStats changed the figures: %+v", got.Stats)
	}

	if err := s.SetStats(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.stats(ctx); err != nil || len(got.Stats) != 0 || !got.AsOf.IsZero() || got.Stats == nil {
		t.Errorf("no figures: %+v %v, want an empty list without as_of", got, err)
	}
}
