package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact"
	"github.com/halcytone/contentgen/crm"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/internal/mailpittest"
	"github.com/halcytone/contentgen/internal/testtools"
	"github.com/halcytone/contentgen/workflows"
)

func mailStack(t *testing.T) (*stack, *mailpittest.Server) {
	t.Helper()
	mp, mailer := startMailpit(t)
	return startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP}), mp
}

// editableDoc copies the example document to a file the test may edit.
func editableDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testtools.RepoRoot(t), "examples", "living-document.md"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "living-document.md")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func startSigned(t *testing.T, s *stack, ed, source string, required int) string {
	t.Helper()
	in := workflows.Input{Edition: ed, Source: source, Approvers: []string{"ana@example.com", "bo@example.com"},
		RequiredApprovals: required, ApprovalTimeout: workflows.Duration(30 * time.Minute)}
	run, err := s.temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.WorkflowID(ed), TaskQueue: workflows.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(workflows.StatusKey.ValueSet(workflows.StageStarting), workflows.EditionKey.ValueSet(ed)),
	}, workflows.WorkflowName, in)
	if err != nil {
		t.Fatalf("start %s: %v", ed, err)
	}
	return run.GetID()
}

var linkRE = regexp.MustCompile(`href="([^"]*/decide\?token=[^"]+)"`)

// proofLinks returns a proof's approval links by action.
func proofLinks(t *testing.T, m mailpittest.Full) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, sub := range linkRE.FindAllStringSubmatch(m.HTML, -1) {
		link := strings.ReplaceAll(sub[1], "&amp;", "&")
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		c, err := token.Inspect(u.Query().Get("token"))
		if err != nil {
			t.Fatalf("link %s: %v", link, err)
		}
		out[c.Action] = link
	}
	// The proof also links the send controls (pause, resume, cancel);
	// the decisions are these three.
	decisions := map[string]string{}
	for _, a := range []string{token.ActionApprove, token.ActionRequestChanges, token.ActionReject} {
		if out[a] != "" {
			decisions[a] = out[a]
		}
	}
	if len(decisions) != 3 {
		t.Fatalf("proof %q has links %v, want approve, request_changes and reject", m.Subject, out)
	}
	return decisions
}

func tokenOf(link string) string {
	u, _ := url.Parse(link)
	return u.Query().Get("token")
}

func httpGet(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// confirm posts the confirmation form of link, as its button does.
func confirm(t *testing.T, link, comment string) (int, string) {
	t.Helper()
	u, _ := url.Parse(link)
	resp, err := http.PostForm(u.Scheme+"://"+u.Host+u.Path, url.Values{"token": {u.Query().Get("token")}, "comment": {comment}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustStatus(t *testing.T, s *stack, id string) workflows.Status {
	t.Helper()
	st, err := queryStatus(s.temporal, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func counted(st workflows.Status) []string {
	var out []string
	for _, d := range st.Decisions {
		if d.Counted && !d.Voided && d.Action != workflows.SignalRefresh {
			out = append(out, d.Action+":"+d.By)
		}
	}
	return out
}

// refusedAs checks a refusal page of kind, and that the run's audit
// trail did not change.
func refusedAs(t *testing.T, s *stack, id, what string, code int, body, kind string, before int) {
	t.Helper()
	if !strings.Contains(body, `data-kind="`+kind+`"`) || code < 400 {
		t.Errorf("%s: HTTP %d, want the %s page:\n%.400s", what, code, kind, body)
	}
	if n := len(mustStatus(t, s, id).Decisions); n != before {
		t.Errorf("%s changed the run: %d decisions, want %d", what, n, before)
	}
}

// TestApprovalLinkInBrowser: Chromium opens the approve link from the
// proof in Mailpit; the page shows the edition and approves nothing; the
// button approves, and the run sends.
func TestApprovalLinkInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	s, mp := mailStack(t)
	id := startSigned(t, s, "2026-W51", "markdown:examples/living-document.md", 1)
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	proof := mp.WaitFor(t, "ana@example.com", "[Proof] ", nil, 30*time.Second)
	links := proofLinks(t, proof)
	cmd := `temporal workflow signal --workflow-id ` + id + ` --name approve --input '{"by":"ana@example.com","token":"`
	if !strings.Contains(proof.Text, cmd) {
		t.Errorf("proof text lacks the ready-to-paste command %q", cmd)
	}

	// A mail scanner fetches the link: nothing changes.
	code, body := httpGet(t, links[token.ActionApprove])
	if code != http.StatusOK || !strings.Contains(body, "2026-W51") || !strings.Contains(body, `method="post"`) {
		t.Fatalf("GET approve link: %d\n%.500s", code, body)
	}
	_, dom := browsertest.Capture(t, links[token.ActionApprove], "confirm.png", 420, 900)
	if !strings.Contains(dom, "Approve edition 2026-W51?") || !strings.Contains(dom, "Breathscape") {
		t.Errorf("confirmation page in Chromium lacks the edition and its sections:\n%.800s", dom)
	}
	if st := mustStatus(t, s, id); len(st.Decisions) != 0 || st.Stage != workflows.StageAwaitingApproval {
		t.Fatalf("opening the link changed the run: %+v", st.Decisions)
	}

	// Ana asks for changes through her link: the comment is required, Bo
	// hears of it, and the run keeps waiting.
	if code, body := confirm(t, links[token.ActionRequestChanges], ""); code != http.StatusBadRequest {
		t.Errorf("request for changes without a comment: %d\n%.300s", code, body)
	}
	if code, body := confirm(t, links[token.ActionRequestChanges], "Which study is the tip from?"); code != http.StatusOK || !strings.Contains(body, "Request changes recorded") {
		t.Fatalf("request for changes: %d\n%.500s", code, body)
	}
	notice := mp.WaitFor(t, "bo@example.com", "[Changes requested] ", nil, 30*time.Second)
	if !strings.Contains(notice.Text, "Which study is the tip from?") || !strings.Contains(notice.Text, "ana@example.com") {
		t.Errorf("bo's notice does not carry ana's request:\n%s", notice.Text)
	}
	if st := mustStatus(t, s, id); st.Stage != workflows.StageAwaitingApproval || len(st.ChangeRequests) != 1 {
		t.Fatalf("after the request for changes: stage %s, requests %+v", st.Stage, st.ChangeRequests)
	}

	after := browsertest.Click(t, links[token.ActionApprove], "#confirm")
	if !strings.Contains(after, "Approve recorded") {
		t.Errorf("after the click Chromium shows:\n%.800s", after)
	}
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent || len(res.Decisions) != 2 || !res.Decisions[1].Verified || res.Decisions[1].OperatorIssued || len(res.ChangeRequests) != 1 {
		t.Fatalf("result %s decisions %+v: want sent on ana's verified link", res.Outcome, res.Decisions)
	}
}

// TestApprovalLinksTwoApprovers: each misuse of a link gets its own page
// and changes nothing; a change to the document voids Ana's approval and
// the new proof says what changed; Bo approves; the run waits for Ana.
func TestApprovalLinksTwoApprovers(t *testing.T) {
	s, mp := mailStack(t)
	doc := editableDoc(t)
	id := startSigned(t, s, "2026-W52", "markdown:"+doc, 2)
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	seen := map[string]bool{}
	anaProof := mp.WaitFor(t, "ana@example.com", "[Proof] ", seen, 30*time.Second)
	boProof := mp.WaitFor(t, "bo@example.com", "[Proof] ", seen, 30*time.Second)
	seen[anaProof.ID], seen[boProof.ID] = true, true
	ana, bo := proofLinks(t, anaProof), proofLinks(t, boProof)

	// "Read the full edition" on Ana's page shows the email of this
	// revision, read from the artifact store: exactly what goes out.
	firstEmail, firstRef := storedEmail(t, s, id)
	readFullEdition(t, ana[token.ActionApprove], firstEmail)

	// Forged and expired links.
	forged := strings.TrimSuffix(ana[token.ActionApprove], tokenOf(ana[token.ActionApprove])[len(tokenOf(ana[token.ActionApprove]))-4:]) + "AAAA"
	code, body := httpGet(t, forged)
	refusedAs(t, s, id, "GET forged link", code, body, token.Forged, 0)
	code, body = confirm(t, forged, "")
	refusedAs(t, s, id, "POST forged link", code, body, token.Forged, 0)
	code, body = httpGet(t, s.approvalsURL+"/preview?token="+tokenOf(forged))
	refusedAs(t, s, id, "preview with a forged link", code, body, token.Forged, 0)
	claims, _ := token.Inspect(tokenOf(ana[token.ActionApprove]))
	claims.Nonce, claims.Expires = "", time.Now().Add(-time.Minute).Unix()
	old, err := s.keys.Mint(claims)
	if err != nil {
		t.Fatal(err)
	}
	code, body = confirm(t, s.approvalsURL+"/decide?token="+old, "")
	refusedAs(t, s, id, "POST expired link", code, body, token.Expired, 0)

	// Ana approves through her link; the link then says it was used.
	if code, body = confirm(t, ana[token.ActionApprove], "looks good"); code != http.StatusOK || !strings.Contains(body, "Approve recorded") {
		t.Fatalf("approve through the link: %d\n%.500s", code, body)
	}
	code, body = httpGet(t, ana[token.ActionApprove])
	refusedAs(t, s, id, "GET used link", code, body, workflows.ProblemUsed, 1)
	code, body = confirm(t, ana[token.ActionApprove], "")
	refusedAs(t, s, id, "POST used link", code, body, workflows.ProblemUsed, 1)

	// The editor changes the Tips section and refreshes.
	before := mustStatus(t, s, id)
	b, _ := os.ReadFile(doc)
	edited := strings.Replace(string(b), "## Tips", "## Tips\n\nNew this week: hum on the exhale to slow it down.\n", 1)
	if edited == string(b) {
		t.Fatal("the example document has no Tips section to edit")
	}
	if err := os.WriteFile(doc, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalRefresh, "--input", `{"by":"ed@example.com"}`)
	var st workflows.Status
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		st = mustStatus(t, s, id)
		if st.Refreshes == 1 && st.Stage == workflows.StageAwaitingApproval && st.ContentRevision != before.ContentRevision {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("refresh did not bring a new revision: %+v", st)
		}
	}
	if len(st.ApprovedBy) != 0 || !st.Decisions[0].Voided || !strings.Contains(st.Decisions[0].VoidReason, "changed") {
		t.Fatalf("after the change: approved by %v, first decision %+v; want ana's approval voided", st.ApprovedBy, st.Decisions[0])
	}
	anaNew := mp.WaitFor(t, "ana@example.com", "[Proof] ", seen, 30*time.Second)
	boNew := mp.WaitFor(t, "bo@example.com", "[Proof] ", seen, 30*time.Second)
	if !strings.Contains(anaNew.Text, "changed after you approved") || !strings.Contains(anaNew.Text, "Tips") {
		t.Errorf("new proof to ana does not name what changed since her approval:\n%.800s", anaNew.Text)
	}

	// Bo's first link is stale now.
	n := len(st.Decisions)
	code, body = httpGet(t, bo[token.ActionApprove])
	refusedAs(t, s, id, "GET stale link", code, body, workflows.ProblemStale, n)
	if !strings.Contains(body, "The edition changed after this link was sent; a new proof is on its way") {
		t.Errorf("stale page does not say so:\n%.500s", body)
	}
	code, body = confirm(t, bo[token.ActionApprove], "")
	refusedAs(t, s, id, "POST stale link", code, body, workflows.ProblemStale, n)
	// Nor does it show the old (or the new) edition.
	code, body = httpGet(t, s.approvalsURL+"/preview?token="+tokenOf(bo[token.ActionApprove]))
	refusedAs(t, s, id, "preview with a stale link", code, body, workflows.ProblemStale, n)
	if strings.Contains(body, firstEmail.Subject) {
		t.Errorf("the stale link's preview shows an edition:\n%.500s", body)
	}

	// Bo's new link shows the new revision. When the stored email is not
	// the one the run names (here: the old revision's bytes under the new
	// digest), the page says so and shows neither.
	boLinks := proofLinks(t, boNew)
	newEmail, newRef := storedEmail(t, s, id)
	if newEmail.HTML == firstEmail.HTML || !strings.Contains(newEmail.Text, "hum on the exhale") {
		t.Fatalf("the refresh stored no new email (ref %s, was %s)", newRef.Digest, firstRef.Digest)
	}
	readFullEdition(t, boLinks[token.ActionApprove], newEmail)
	if !strings.Contains(newEmail.HTML, "hum on the exhale") {
		t.Error("the new revision's full edition lacks the edited text")
	}
	target := filepath.Join(s.artifactDir, "sha256", newRef.Hex())
	original, err := os.ReadFile(target)
	if err != nil {
		t.Fatalf("the stored email is not where the file store keeps it: %v", err)
	}
	swapped, err := os.ReadFile(filepath.Join(s.artifactDir, "sha256", firstRef.Hex()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, swapped, 0o644); err != nil {
		t.Fatal(err)
	}
	code, body = httpGet(t, s.approvalsURL+"/preview?token="+tokenOf(boLinks[token.ActionApprove]))
	refusedAs(t, s, id, "preview of an altered render", code, body, "preview-mismatch", n)
	if strings.Contains(body, firstEmail.Subject) || strings.Contains(body, "hum on the exhale") {
		t.Errorf("the preview of an altered render shows an edition:\n%.500s", body)
	}
	if err := os.WriteFile(target, original, 0o644); err != nil {
		t.Fatal(err)
	}
	readFullEdition(t, boLinks[token.ActionApprove], newEmail)

	// Bo approves the new revision; the run waits for Ana again.
	if code, body = confirm(t, boLinks[token.ActionApprove], ""); code != http.StatusOK {
		t.Fatalf("bo approves: %d\n%.500s", code, body)
	}
	st = mustStatus(t, s, id)
	if st.Stage != workflows.StageAwaitingApproval || strings.Join(st.Pending, ",") != "ana@example.com" || strings.Join(counted(st), ",") != "approve:bo@example.com" {
		t.Fatalf("after bo: stage %s pending %v counted %v; want waiting for ana", st.Stage, st.Pending, counted(st))
	}

	// Spoofing: ana's address with no token, then with bo's token.
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalApprove, "--input", `{"by":"ana@example.com"}`)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalRequestChanges,
		"--input", `{"by":"ana@example.com","comment":"spoof","token":"`+tokenOf(boLinks[token.ActionRequestChanges])+`"}`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if st = mustStatus(t, s, id); len(st.Decisions) >= n+3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("spoofed signals not recorded: %+v", st.Decisions)
		}
	}
	last := st.Decisions[len(st.Decisions)-2:]
	if last[0].Counted || last[0].Problem != workflows.ProblemNoToken || last[1].Counted || last[1].Problem != workflows.ProblemWrongApprover {
		t.Errorf("spoofed decisions %+v: want recorded, not counted", last)
	}
	if strings.Join(counted(st), ",") != "approve:bo@example.com" || st.Stage != workflows.StageAwaitingApproval {
		t.Fatalf("spoofing changed what counts: %v", counted(st))
	}

	if code, body = confirm(t, proofLinks(t, anaNew)[token.ActionApprove], ""); code != http.StatusOK {
		t.Fatalf("ana approves the new revision: %d\n%.500s", code, body)
	}
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent || len(res.ApprovedBy) != 2 {
		t.Fatalf("result %s approved by %v", res.Outcome, res.ApprovedBy)
	}
	// History holds no key, and no token that was never used.
	hist := payloadText(t, temporalCLI(t, s, "workflow", "show", "--workflow-id", id, "--output", "json"))
	secret := s.signingKeys[strings.Index(s.signingKeys, ":")+1:]
	if strings.Contains(hist, secret) || strings.Contains(hist, tokenOf(ana[token.ActionReject])) || !strings.Contains(hist, tokenOf(boLinks[token.ActionApprove])) {
		t.Error("history holds the signing key or an unused token (or lacks the used one, so this check is blind)")
	}
	recordHistory(t, s, id, "signed-two-approvers-void")
}

// storedEmail reads the email variant of the run's current render from
// the artifact store, by the reference the preview query names.
func storedEmail(t *testing.T, s *stack, id string) (crm.Variant, artifact.Ref) {
	t.Helper()
	v, err := s.temporal.QueryWorkflow(context.Background(), id, "", workflows.QueryPreview)
	var pv workflows.Preview
	if err == nil {
		err = v.Get(&pv)
	}
	if err != nil {
		t.Fatalf("preview query: %v", err)
	}
	if pv.Rendered == nil || pv.Output.Email.HTML != "" {
		t.Fatalf("run %s does not keep its render in the artifact store (rendered %v, %d bytes of email in the query)", id, pv.Rendered != nil, len(pv.Output.Email.HTML))
	}
	ref := pv.Rendered.EmailRef()
	if ref == nil {
		t.Fatalf("render %s names no email", pv.Rendered.Manifest.Digest)
	}
	var email crm.Variant
	if err := s.artifacts.GetJSON(context.Background(), *ref, &email); err != nil {
		t.Fatal(err)
	}
	if email.Subject == "" || len(email.HTML) < 1000 {
		t.Fatalf("stored email %s is nearly empty: subject %q, %d bytes", ref.Digest, email.Subject, len(email.HTML))
	}
	return email, *ref
}

var previewLinkRE = regexp.MustCompile(`href="(preview\?token=[^"]+)"`)

// readFullEdition follows the "Read the full edition" link of the page
// an approval link opens, and checks it serves want, sandboxed.
func readFullEdition(t *testing.T, link string, want crm.Variant) {
	t.Helper()
	code, page := httpGet(t, link)
	m := previewLinkRE.FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("approval page %d has no full-edition link:\n%.500s", code, page)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	preview := u.ResolveReference(&url.URL{Path: "preview", RawQuery: strings.TrimPrefix(strings.ReplaceAll(m[1], "&amp;", "&"), "preview?")})
	resp, err := http.Get(preview.String())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	body := string(b)
	if resp.StatusCode != http.StatusOK || body != want.HTML {
		t.Fatalf("full edition at %s: HTTP %d, %d bytes; want the stored email's %d bytes:\n%.500s", preview.Path, resp.StatusCode, len(body), len(want.HTML), body)
	}
	// The subject is the page's title and heading, followed by the edition.
	c, _ := token.Inspect(preview.Query().Get("token"))
	title, ok := strings.CutSuffix(want.Subject, " — "+c.Edition)
	if !ok || !strings.Contains(body, "<title>"+html.EscapeString(title)+"</title>") {
		t.Errorf("full edition lacks the subject %q as its title", want.Subject)
	}
	if !strings.Contains(body, "Breathscape") {
		t.Error("full edition lacks the body text (Breathscape)")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != approvals.ContentSecurityPolicy+"; sandbox" {
		t.Errorf("full edition served with CSP %q, want the pages' policy, sandboxed", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("full edition lacks the safety headers: %v", resp.Header)
	}
}

// payloadText returns every payload's data in a history printed as JSON,
// decoded, one per line.
func payloadText(t *testing.T, histJSON string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(histJSON), &v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && k == "data" {
					if d, err := base64.StdEncoding.DecodeString(s); err == nil {
						b.Write(d)
						b.WriteByte('\n')
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
