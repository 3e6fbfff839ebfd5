package activities_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/platform/reportlink"
	"github.com/halcytone/contentgen/report/lastedition"
)

var reportHref = regexp.MustCompile(`href="(https://halcytone\.example/updates/[^"]+/report\?[^"]+)"`)

// The proof of both kinds carries the last edition's block above the
// email, with a signed link that opens that edition's report.
func TestProofShowsLastEdition(t *testing.T) {
	secret := []byte(strings.Repeat("k", reportlink.MinSecretLen))
	last := &lastedition.Summary{Edition: "2026-W48", Slug: "2026-w48-halcytone-weekly", Delivered: 1200, ClicksTotal: 310, UniqueClicks: 240,
		Unsubscribed: 3, Bounced: 7, MostClicked: &crm.SectionClicks{Category: "Breathscape", Clicks: 200},
		LeastClicked: &crm.SectionClicks{Category: "Vision {{first_name}}", Clicks: 4}}
	for _, signed := range []bool{false, true} {
		c := fakes.NewCRM()
		acts := &activities.Activities{CRM: c, WebBaseURL: "https://halcytone.example",
			Approvals: activities.ApprovalOptions{Keys: signingKeys(t)}, Reports: activities.ReportOptions{LinkSecret: secret}}
		in := activitytypes.ProofInput{NewsletterID: "newsletter-2026-W49-proof-0", Approvers: []string{"ana@example.com"},
			Email:       crm.Variant{Subject: "Weekly", HTML: "<html><body><p>Edition</p></body></html>", Text: "Edition"},
			LastEdition: last, Warnings: []string{"Gmail clips this email"}}
		if signed {
			in.WorkflowID, in.RunID, in.Edition, in.Revision, in.Deadline = "newsletter-2026-W49", "run-1", "2026-W49", "rev-1", time.Now().Add(time.Hour)
		}
		var res activitytypes.ProofResult
		if err := runActivity(t, acts, acts.SendProof, in, &res); err != nil {
			t.Fatal(err)
		}
		req := c.Requests[0]
		html, text := "", ""
		if len(req.Variants) > 0 {
			html, text = req.Variants[0].HTML, req.Variants[0].Text
		} else {
			html, text = req.Messages[0].HTML, req.Messages[0].Text
		}
		for _, want := range []string{"Last edition", "Edition 2026-W48: 1200 delivered, 310 clicks (240 unique), 3 unsubscribed, 7 bounced",
			"Most clicked: Breathscape (200); least clicked: Vision"} {
			if !strings.Contains(html, want) || !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
				t.Errorf("signed=%v: proof lacks %q", signed, want)
			}
		}
		if strings.Contains(html, "{{first_name}}") || strings.Contains(text, "{{first_name}}") {
			t.Errorf("signed=%v: a section name became a merge tag", signed)
		}
		if w, l := strings.Index(html, "Gmail clips"), strings.Index(html, "Last edition"); w < 0 || l < w || l > strings.Index(html, "<p>Edition</p>") {
			t.Errorf("signed=%v: want warnings, then the last edition, then the email:\n%s", signed, html)
		}
		m := reportHref.FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("signed=%v: no report link in\n%s", signed, html)
		}
		u, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		if u.Path != "/updates/2026-w48-halcytone-weekly/report" {
			t.Errorf("link to %s", u.Path)
		}
		if err := reportlink.Verify([][]byte{secret}, last.Slug, u.Query(), time.Now()); err != nil {
			t.Errorf("signed=%v: the report link does not verify: %v", signed, err)
		}
		if err := reportlink.Verify([][]byte{secret}, last.Slug, u.Query(), time.Now().Add(reportlink.DefaultValidity+time.Minute)); err == nil {
			t.Errorf("signed=%v: the report link never expires", signed)
		}
	}
}
