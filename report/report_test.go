package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/platform"
)

func TestSummarize(t *testing.T) {
	e := New("2026-W48")
	if _, ok := Summarize(e); ok {
		t.Error("a summary without email figures")
	}
	e.SetEmail(crm.Report{Delivered: 100, ClicksTotal: 30, UniqueClicks: 20, Unsubscribed: 2, Sections: []crm.SectionClicks{
		{Category: "Tips", Clicks: 5}, {Category: "Breathscape", Clicks: 20}, {Category: "Vision", Clicks: 1}, {Category: "Hardware", Clicks: 4}}})
	e.SetWeb(platform.Views{Slug: "w48", Views: 40, UniqueVisitors: 30})
	l, ok := Summarize(e)
	if !ok || l.MostClicked.Category != "Breathscape" || l.LeastClicked.Category != "Vision" || l.Delivered != 100 || l.WebViews != 40 {
		t.Fatalf("summary %+v", l)
	}
	want := "Edition 2026-W48: 100 delivered, 30 clicks (20 unique), 2 unsubscribed, 0 bounced, 40 web views\n" +
		"Most clicked: Breathscape (20); least clicked: Vision (1)"
	if got := strings.Join(l.Lines(), "\n"); got != want {
		t.Errorf("lines\n%s\nwant\n%s", got, want)
	}

	e.SetEmail(crm.Report{Delivered: 10, Sections: []crm.SectionClicks{{Category: "Tips"}}})
	if l, _ := Summarize(e); l.MostClicked != nil || !strings.Contains(strings.Join(l.Lines(), "\n"), "No section was clicked") {
		t.Errorf("no clicks: %+v", l)
	}
	e.SetEmail(crm.Report{Delivered: 10, Sections: []crm.SectionClicks{{Category: "Tips", Clicks: 3}}})
	if l, _ := Summarize(e); l.LeastClicked != nil || l.Lines()[1] != "Most clicked: Tips (3)" {
		t.Errorf("one section: %+v", l)
	}
}

func TestWriteText(t *testing.T) {
	e := New("2026-W49")
	e.EmailUnavailable = "the CRM has no figures for newsletter-2026-W49"
	e.SetWeb(platform.Views{Views: 7, UniqueVisitors: 5, Days: []platform.ViewDay{{Day: "2026-12-07", Views: 7, UniqueVisitors: 5}}})
	var b bytes.Buffer
	WriteText(&b, e)
	for _, want := range []string{"email figures unavailable: the CRM has no figures", "web views 7 (unique visitors 5)", "2026-12-07      7 views"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// In aggregate mode the CRM ties no click to a reader, so unique clicks
// are left out and every text says why, while with individual tracking
// they are shown.
func TestUniqueClicksNeedIndividualTracking(t *testing.T) {
	rep := crm.Report{Tracking: "aggregate", Delivered: 3, ClicksTotal: 3, UniqueClicks: 1,
		Sections: []crm.SectionClicks{{Category: "breathscape", Clicks: 2, UniqueClicks: 1}}}
	e := New("2026-W47")
	e.SetEmail(rep)
	if e.UniqueCounted() || e.UniqueClicks != 0 || e.Sections[0].UniqueClicks != 0 {
		t.Errorf("aggregate figures keep a unique count: %+v", e)
	}
	var b bytes.Buffer
	WriteText(&b, e)
	if !strings.Contains(b.String(), "clicks 3 (unique clicks need individual tracking (TRACKING=individual))") || strings.Contains(b.String(), "unique 1") {
		t.Errorf("aggregate text:\n%s", b.String())
	}
	l, _ := Summarize(e)
	if got := l.Lines()[0]; got != "Edition 2026-W47: 3 delivered, 3 clicks (unique not counted with aggregate tracking), 0 unsubscribed, 0 bounced" {
		t.Errorf("aggregate line %q", got)
	}

	rep.Tracking = "individual"
	e.SetEmail(rep)
	b.Reset()
	WriteText(&b, e)
	if !e.UniqueCounted() || !strings.Contains(b.String(), "clicks 3 (unique 1)") || !strings.Contains(b.String(), "(unique 1)\n") {
		t.Errorf("individual text:\n%s", b.String())
	}
	if l, _ := Summarize(e); !strings.Contains(l.Lines()[0], "3 clicks (1 unique)") {
		t.Errorf("individual line %q", l.Lines()[0])
	}
}

// Machine clicks and the per-segment table reach the text and the JSON.
func TestMachineClicksAndSegments(t *testing.T) {
	rep := crm.Report{Tracking: "individual", Delivered: 3, ClicksTotal: 2, MachineClicks: 5,
		Sections: []crm.SectionClicks{{Category: "breathscape", Clicks: 2}, {Category: "vision"}},
		Segments: []crm.SegmentCount{{Segment: "beta", Delivered: 2, Bounced: 1, Complained: 1, Unsubscribed: 1, Clicks: 2}, {Segment: "pro", Delivered: 1}}}
	e := New("2026-W47")
	e.SetEmail(rep)
	var b bytes.Buffer
	WriteText(&b, e)
	for _, want := range []string{"machine clicks 5 (link scanners, counted apart)", "  vision                        0  (unique 0)\n",
		"  beta                             2        1          1            1       2\n", "  pro                              1        0          0            0       0\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	js, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"machine_clicks":5`, `"segments":[{"segment":"beta","delivered":2,"bounced":1,"complained":1,"unsubscribed":1,"clicks":2}`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("JSON lacks %s: %s", want, js)
		}
	}
	rep.Tracking = "aggregate"
	e.SetEmail(rep)
	b.Reset()
	WriteText(&b, e)
	if !strings.Contains(b.String(), "(clicks per segment need individual tracking)") || !strings.Contains(b.String(), "      -\n") {
		t.Errorf("aggregate text shows clicks per segment:\n%s", b.String())
	}
}
