package e2e

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/approvals/token"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/internal/mailpittest"
	"github.com/halcytone/contentgen/workflows"
)

var formToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

// postForm posts the approval page's form fields, as its buttons do.
func postForm(t *testing.T, base string, fields url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(base+"/decide", fields)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 8192)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// pageToken is the token in the forms of an approval page.
func pageToken(t *testing.T, page string) string {
	t.Helper()
	m := formToken.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page has no form token:\n%.1500s", page)
	}
	return m[1]
}

// TestAcceptSuggestionsOnTheApprovalPage: the approve link's page shows
// each suggestion next to the text it replaces; opening it changes
// nothing. In Chromium the approver accepts one suggestion: the edition
// gets a new revision, the approval given before is void, and the page
// shows the new version with a token of its own, from which the approver
// accepts a second suggestion and then approves. The sent email carries
// the accepted subject.
func TestAcceptSuggestionsOnTheApprovalPage(t *testing.T) {
	browsertest.Chromium(t)
	mp, mailer := startMailpit(t)
	s := startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP, model: &aifake.Server{Key: "sk-e2e"}})
	id := startSigned(t, s, "2026-W50", "markdown:examples/living-document.md", 2)
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	seen := map[string]bool{}
	anaProof := mp.WaitFor(t, "ana@example.com", "[Proof] ", seen, 60*time.Second)
	boProof := mp.WaitFor(t, "bo@example.com", "[Proof] ", seen, 60*time.Second)
	seen[anaProof.ID], seen[boProof.ID] = true, true
	ana, bo := proofLinks(t, anaProof), proofLinks(t, boProof)
	const subject = "Three things to try before bed tonight"

	// Bo approves the first version through his link.
	if code, body := confirm(t, bo[token.ActionApprove], ""); code != http.StatusOK {
		t.Fatalf("bo approves: %d\n%.500s", code, body)
	}
	before := mustStatus(t, s, id)
	if len(before.ApprovedBy) != 1 {
		t.Fatalf("approved by %v, want bo", before.ApprovedBy)
	}

	// A mail scanner fetches ana's link: the page lists the suggestions
	// with their buttons, and nothing changes.
	code, page := httpGet(t, ana[token.ActionApprove])
	for _, want := range []string{`id="suggestions"`, `id="accept-subject-2"`, `id="accept-social-x"`, subject, "Plain-language check"} {
		if code != http.StatusOK || !strings.Contains(page, want) {
			t.Fatalf("GET approve link: %d, page lacks %q\n%.2000s", code, want, page)
		}
	}
	shot, dom := browsertest.Capture(t, ana[token.ActionApprove], "suggestions.png", 420, 2400)
	if !strings.Contains(dom, "Suggested:</span> "+subject) || !strings.Contains(dom, "Now:</span> Halcytone Weekly") {
		t.Errorf("Chromium does not show subject:2 next to the subject it replaces (%s):\n%.2000s", shot, dom)
	}
	if st := mustStatus(t, s, id); len(st.Decisions) != len(before.Decisions) || st.ContentRevision != before.ContentRevision {
		t.Fatalf("opening the page changed the run: %+v", st.Decisions)
	}
	// The request-changes link cannot accept suggestions.
	code, body := postForm(t, s.approvalsURL, url.Values{"token": {tokenOf(ana[token.ActionRequestChanges])}, "accept": {"subject:2"}})
	refusedAs(t, s, id, "accept with the request-changes link", code, body, workflows.ProblemWrongAction, len(before.Decisions))

	// Ana accepts subject:2 in Chromium.
	after := browsertest.Click(t, ana[token.ActionApprove], "#accept-subject-2", browsertest.WindowSize(420, 900))
	if !strings.Contains(after, `id="notice"`) || !strings.Contains(after, "Accepted subject:2") {
		t.Fatalf("after the click Chromium shows:\n%.2000s", after)
	}
	st := mustStatus(t, s, id)
	if st.ContentRevision == before.ContentRevision || len(st.ApprovedBy) != 0 || st.AI == nil || len(st.AI.Accepted) != 1 ||
		st.AI.Accepted[0].ID != "subject:2" || st.AI.Accepted[0].By != "ana@example.com" {
		t.Fatalf("after accepting: revision %s → %s, approved by %v, accepted %+v; want a new revision, bo's approval void, subject:2 by ana",
			before.ContentRevision, st.ContentRevision, st.ApprovedBy, st.AI)
	}
	if !strings.Contains(after, "<strong>Subject:</strong> "+subject) || strings.Contains(after, `id="accept-subject-2"`) {
		t.Errorf("the new version's page does not show the accepted subject in place:\n%.2000s", after)
	}
	next := pageToken(t, after)
	claims, err := token.Inspect(next)
	if err != nil {
		t.Fatal(err)
	}
	spent, _ := token.Inspect(tokenOf(ana[token.ActionApprove]))
	if claims.Revision != st.ContentRevision || claims.Via != spent.ID() || claims.Approver != "ana@example.com" ||
		claims.Action != token.ActionApprove || claims.Expires != spent.Expires || claims.Operator {
		t.Errorf("the page's token %+v: want ana's approve token for revision %s, via %s", claims, st.ContentRevision, spent.ID())
	}
	// The spent link says so.
	code, body = httpGet(t, ana[token.ActionApprove])
	refusedAs(t, s, id, "GET the spent link", code, body, workflows.ProblemUsed, len(st.Decisions))

	// From the new page: accept social.x, then approve.
	code, page = postForm(t, s.approvalsURL, url.Values{"token": {next}, "accept": {"social.x"}})
	if code != http.StatusOK || !strings.Contains(page, "Accepted social.x") {
		t.Fatalf("accept social.x: %d\n%.1500s", code, page)
	}
	code, page = postForm(t, s.approvalsURL, url.Values{"token": {pageToken(t, page)}, "comment": {"with both"}})
	if code != http.StatusOK || !strings.Contains(page, "Approve recorded") {
		t.Fatalf("approve from the page: %d\n%.1500s", code, page)
	}
	// Bo approves the newest proof.
	var boNew mailpittest.Full
	for deadline := time.Now().Add(60 * time.Second); ; {
		boNew = mp.WaitFor(t, "bo@example.com", "[Proof] ", seen, 60*time.Second)
		seen[boNew.ID] = true
		if strings.Contains(boNew.Text, "New this week at Halcytone: calmer evenings and a longer-lasting sensor.") &&
			strings.Contains(boNew.Subject, subject) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no proof of the version with both suggestions reached bo")
		}
	}
	if code, body := confirm(t, proofLinks(t, boNew)[token.ActionApprove], ""); code != http.StatusOK {
		t.Fatalf("bo approves the new version: %d\n%.500s", code, body)
	}
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent || len(res.ApprovedBy) != 2 {
		t.Fatalf("result %s approved by %v", res.Outcome, res.ApprovedBy)
	}
	if res.AI == nil || len(res.AI.Accepted) != 2 || res.AI.Accepted[1].ID != "social.x" {
		t.Errorf("result.ai = %+v; want subject:2 and social.x accepted", res.AI)
	}
	var via int
	for _, d := range res.Decisions {
		if d.By == "ana@example.com" && d.Verified && d.Via != "" {
			via++
		}
	}
	if via != 2 {
		t.Errorf("decisions %+v: want ana's second accept and her approval made with page-issued tokens (via)", res.Decisions)
	}
	if sent := sentSubjects(t, s, mp); len(sent) != 1 || sent[0] != subject {
		t.Errorf("recipients got subjects %v, want only %q", sent, subject)
	}
	recordHistory(t, s, id, "approval-page-accept")
}

// sentSubjects waits for the edition to reach every contact and returns
// the distinct subjects they got (proofs and notices aside).
func sentSubjects(t *testing.T, s *stack, mp *mailpittest.Server) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		subjects := map[string]bool{}
		n := 0
		for _, m := range mp.Messages(t, 500).Messages {
			if !strings.HasPrefix(m.Subject, "[") {
				subjects[m.Subject] = true
				n++
			}
		}
		if n >= s.contactCount || time.Now().After(deadline) {
			return slices.Sorted(maps.Keys(subjects))
		}
	}
}
