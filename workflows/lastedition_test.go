package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/crmtest"
)

// sectionedEmail is an edition whose links sit in two sections, as the
// renderer marks them for the CRM.
var sectionedEmail = crm.Variant{ID: "default", Subject: "Weekly 2026-W47",
	HTML: `<html><body><div data-section="breathscape"><p><a href="https://halcytone.example/sessions">Read about sessions</a></p></div>` +
		`<div data-section="vision"><p><a href="https://halcytone.example/vision">Read the vision</a></p></div>` +
		`<p><a href="{{unsubscribe_url}}">Unsubscribe</a></p></body></html>`,
	Text: "Sessions: https://halcytone.example/sessions\nVision: https://halcytone.example/vision\n"}

// The next edition's proof, and its status, show how the last edition
// did: the reference CRM delivered it to three readers through real SMTP,
// two followed a Breathscape link and one a Vision link. The CRM tracks in
// aggregate mode, so the proof says unique clicks were not counted rather
// than showing its visitor estimate (here 1: the three readers share an
// address and browser) as readers.
func TestNextProofShowsLastEdition(t *testing.T) {
	c := crmtest.Start(t, "email,name,segments\nann@example.com,Ann,\nbo@example.com,Bo,\ncy@example.org,Cy,\n")
	c.Send(t, WorkflowID("2026-W47"), sectionedEmail)
	c.Click(t, "ann@example.com", "Weekly", "Read about sessions")
	c.Click(t, "bo@example.com", "Weekly", "Read about sessions")
	c.Click(t, "cy@example.org", "Weekly", "Read the vision")

	h := newHarness(t)
	h.acts.Reports.Source = c.Client
	h.env.RegisterDelayedCallback(func() {
		st := h.status(t)
		l := st.LastEdition
		if l == nil || l.Edition != "2026-W47" || l.Delivered != 3 || l.ClicksTotal != 3 || l.Tracking != "aggregate" || l.UniqueClicks != 0 || l.MostClicked == nil || l.MostClicked.Category != "breathscape" {
			t.Errorf("status last edition %+v", l)
		}
	}, 30*time.Second)
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	if res := h.run(t, input()); res.Outcome != OutcomeSent {
		t.Fatalf("result %+v", res)
	}
	proof := h.lastMessageTo(WorkflowID("2026-W48")+"-proof-0", "ana@example.com")
	for _, want := range []string{"LAST EDITION", "Edition 2026-W47: 3 delivered, 3 clicks (unique not counted with aggregate tracking), 0 unsubscribed, 0 bounced",
		"Most clicked: breathscape (2); least clicked: vision (1)"} {
		if !strings.Contains(proof, want) {
			t.Errorf("proof lacks %q:\n%.3000s", want, proof)
		}
	}
}

// Without figures for the last edition the proof goes out without the
// block.
func TestProofWithoutLastEdition(t *testing.T) {
	c := crmtest.Start(t, "email,name,segments\nann@example.com,Ann,\n")
	h := newHarness(t)
	h.acts.Reports.Source = c.Client
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	if res := h.run(t, input()); res.Outcome != OutcomeSent {
		t.Fatalf("result %+v", res)
	}
	proof := h.lastMessageTo(WorkflowID("2026-W48")+"-proof-0", "ana@example.com")
	if proof == "" || strings.Contains(proof, "LAST EDITION") {
		t.Errorf("proof without figures:\n%.600s", proof)
	}
}
