package activities_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/internal/fakes"
)

func signingKeys(t *testing.T) *token.Keyring {
	t.Helper()
	entry, _ := token.NewKey("k1")
	k, err := token.ParseKeys(entry)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func runActivity(t *testing.T, acts *activities.Activities, fn, in, out any) error {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	v, err := env.ExecuteActivity(fn, in)
	if err != nil {
		return err
	}
	return v.Get(out)
}

var linkToken = regexp.MustCompile(`href="https://approve\.example\.com/decide\?token=([^"]+)"`)

// Each approver's proof carries links whose tokens bind that approver,
// the run, the revision, the action and the deadline.
func TestSignedProofBindsEachApprover(t *testing.T) {
	keys := signingKeys(t)
	c := fakes.NewCRM()
	acts := &activities.Activities{CRM: c, Approvals: activities.ApprovalOptions{Keys: keys, PublicURL: "https://approve.example.com"}}
	deadline := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	in := activitytypes.ProofInput{NewsletterID: "newsletter-2026-W49-proof-0", Approvers: []string{"ana@example.com", "bo@example.com"},
		Email:      crm.Variant{Subject: "Weekly", HTML: "<html><body><p>Edition</p></body></html>", Text: "Edition"},
		WorkflowID: "newsletter-2026-W49", RunID: "run-1", Edition: "2026-W49", Revision: "rev-1", Deadline: deadline}
	var res activitytypes.ProofResult
	if err := runActivity(t, acts, acts.SendProof, in, &res); err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.SentTo, ",") != "ana@example.com,bo@example.com" || len(c.Requests) != 1 {
		t.Fatalf("sent to %v in %d requests", res.SentTo, len(c.Requests))
	}
	// One body for both approvers; each message carries only its own
	// links, which the CRM merges in.
	req := c.Requests[0]
	if len(req.Variants) != 1 || strings.Contains(req.Variants[0].HTML, "token=") {
		t.Fatalf("proof request has %d variants; want one shared body without tokens", len(req.Variants))
	}
	for _, m := range req.Messages {
		if m.Variant != req.Variants[0].ID || m.HTML != "" {
			t.Fatalf("message to %s does not name the shared variant", m.To)
		}
		merged := mergetag.Merge(req.Variants[0].HTML, func(f string) (string, bool) { v, ok := m.Merge[f]; return v, ok }, nil, html.EscapeString)
		links := linkToken.FindAllStringSubmatch(merged, -1)
		if len(links) != 3 {
			t.Fatalf("proof to %s has %d links, want 3", m.To, len(links))
		}
		var actions []string
		for _, l := range links {
			tok, _ := url.QueryUnescape(l[1])
			cl, _, err := keys.Verify(tok, time.Now())
			if err != nil {
				t.Fatalf("token in %s's proof: %v", m.To, err)
			}
			if cl.Approver != m.To || cl.RunID != "run-1" || cl.WorkflowID != "newsletter-2026-W49" || cl.Revision != "rev-1" || !cl.ExpiresAt().Equal(deadline) || cl.Operator {
				t.Errorf("token claims %+v for %s", cl, m.To)
			}
			actions = append(actions, cl.Action)
		}
		if strings.Join(actions, ",") != "approve,request_changes,reject" {
			t.Errorf("%s's links are for %v", m.To, actions)
		}
	}
}

func TestProofAndVerifyNeedKeys(t *testing.T) {
	acts := &activities.Activities{CRM: fakes.NewCRM()}
	in := activitytypes.ProofInput{NewsletterID: "p", Approvers: []string{"ana@example.com"}, WorkflowID: "w", RunID: "r", Revision: "rev", Deadline: time.Now().Add(time.Hour)}
	var res activitytypes.ProofResult
	if err := runActivity(t, acts, acts.SendProof, in, &res); err == nil || !strings.Contains(err.Error(), "APPROVAL_SIGNING_KEYS") {
		t.Errorf("signed proof without keys: %v", err)
	}
	var v activitytypes.VerifyResult
	if err := runActivity(t, acts, acts.VerifyApproval, activitytypes.VerifyInput{Token: "v1.x.y.z"}, &v); err == nil {
		t.Error("verify without keys succeeded")
	}
}

func TestVerifyApproval(t *testing.T) {
	keys := signingKeys(t)
	acts := &activities.Activities{Approvals: activities.ApprovalOptions{Keys: keys}}
	tok, _ := keys.Mint(token.Claims{WorkflowID: "w", RunID: "r", Edition: "e", Revision: "rev", Approver: "ana@example.com",
		Action: token.ActionApprove, Expires: time.Now().Add(time.Hour).Unix()})
	var v activitytypes.VerifyResult
	if err := runActivity(t, acts, acts.VerifyApproval, activitytypes.VerifyInput{Token: tok}, &v); err != nil || !v.Valid || v.Claims.Approver != "ana@example.com" || v.KeyID != "k1" {
		t.Errorf("valid token: %+v %v", v, err)
	}
	if err := runActivity(t, acts, acts.VerifyApproval, activitytypes.VerifyInput{Token: tok[:len(tok)-2] + "xx"}, &v); err != nil || v.Valid || v.Problem != token.Forged {
		t.Errorf("altered token: %+v %v", v, err)
	}
}

func TestChangesRequestedReachEditors(t *testing.T) {
	c := fakes.NewCRM()
	acts := &activities.Activities{CRM: c, Approvals: activities.ApprovalOptions{Editors: []string{"ed@example.com", "BO@example.com"}}}
	in := activitytypes.ChangesRequestedInput{NewsletterID: "n-changes-1", Edition: "2026-W49", WorkflowID: "newsletter-2026-W49",
		By: "ana@example.com", Comment: "Fix {{first_name}} typo", Notify: []string{"bo@example.com"}}
	var res activitytypes.ProofResult
	if err := runActivity(t, acts, acts.NotifyChangesRequested, in, &res); err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.SentTo, ",") != "bo@example.com,ed@example.com" {
		t.Errorf("sent to %v, want bo once and the editor", res.SentTo)
	}
	if v := c.Requests[0].Variants[0]; strings.Contains(v.Text, "{{first_name}}") || !strings.Contains(v.Subject, "2026-W49") {
		t.Errorf("notice %+v: the comment must not become a merge tag", v)
	}
}
