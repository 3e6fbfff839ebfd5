package report

import (
	"bytes"
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
