package crmtest

import (
	"context"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

// The helper's CRM delivers, tracks a followed link in its section and
// reports both.
func TestSendClickReport(t *testing.T) {
	c := Start(t, "email,name,segments\nann@example.com,Ann,\nbo@example.com,Bo,\n")
	c.Send(t, "newsletter-2026-W47", crm.Variant{ID: "default", Subject: "Weekly",
		HTML: `<html><body><div data-section="tips"><a href="https://halcytone.example/tip">Tip</a></div><a href="{{unsubscribe_url}}">Unsubscribe</a></body></html>`, Text: "Tip"})
	if to := c.Click(t, "bo@example.com", "Weekly", "Tip"); to != "https://halcytone.example/tip" {
		t.Errorf("redirected to %q", to)
	}
	rep, err := c.Client.Report(context.Background(), "newsletter-2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 2 || rep.ClicksTotal != 1 || len(rep.Sections) != 1 || rep.Sections[0].Category != "tips" {
		t.Errorf("report %+v", rep)
	}
}
