package telemetry_test

import (
	"testing"

	"github.com/halcytone/contentgen/internal/telemetry"
)

func TestReaderMetrics(t *testing.T) {
	p := newPrometheus(t)
	m, err := telemetry.NewReaderMetrics(p.MeterProvider)
	if err != nil {
		t.Fatal(err)
	}
	m.Click("newsletter-2026-W49", false)
	m.Click("newsletter-2026-W49", false)
	m.Click("newsletter-2026-W49", true)
	m.Click("newsletter-2026-W50", false)
	m.Open("newsletter-2026-W49", true)
	m.Open("newsletter-2026-W49", false)
	m.Open("newsletter-2026-W49", false)
	m.Unsubscribe("newsletter-2026-W50")
	fams := scrape(t, p)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"newsletter_clicks_total", map[string]string{"newsletter": "newsletter-2026-W49", "kind": "human"}, 2},
		{"newsletter_clicks_total", map[string]string{"newsletter": "newsletter-2026-W49", "kind": "machine"}, 1},
		{"newsletter_clicks_total", map[string]string{"newsletter": "newsletter-2026-W50", "kind": "human"}, 1},
		{"newsletter_opens_total", map[string]string{"newsletter": "newsletter-2026-W49", "kind": "machine"}, 1},
		{"newsletter_opens_total", map[string]string{"newsletter": "newsletter-2026-W49", "kind": "human"}, 2},
		{"newsletter_unsubscribes_total", map[string]string{"newsletter": "newsletter-2026-W50"}, 1},
	} {
		if got, ok := fams.Value(c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v; have %v", c.name, c.labels, got, ok, c.want, fams.Names("newsletter_"))
		}
	}
	if fams["newsletter_clicks_total"].GetType().String() != "COUNTER" {
		t.Errorf("newsletter_clicks_total is a %s, want a counter", fams["newsletter_clicks_total"].GetType())
	}
}
