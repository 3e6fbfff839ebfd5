package e2e

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/ai/aifake"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/cli"
	"github.com/halcytone/contentgen/internal/mailpittest"
	"github.com/halcytone/contentgen/workflows"
)

// TestSuggestionsAcceptedOnTheDevServer runs an edition with a model (the
// fake OpenAI-compatible server, through the real client) on the dev
// server and real SMTP: suggestions appear in the proof, accepting one
// voids the approval given, sends a new proof, and the sent email carries
// the accepted subject.
func TestSuggestionsAcceptedOnTheDevServer(t *testing.T) {
	mp, mailer := startMailpit(t)
	model := &aifake.Server{Key: "sk-e2e"}
	// The worker and 'starter preview' share one artifact store.
	artifacts := filepath.Join(t.TempDir(), "artifacts")
	s := startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP, model: model, artifactURL: artifacts})
	in := workflows.Input{Edition: "2026-W51", Source: "markdown:examples/living-document.md",
		Approvers: []string{"ana@example.com", "bo@example.com"}, RequiredApprovals: 2, ApprovalTimeout: workflows.Duration(10 * time.Minute)}
	run, err := s.temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: workflows.WorkflowID(in.Edition), TaskQueue: workflows.TaskQueue}, workflows.WorkflowName, in)
	if err != nil {
		t.Fatal(err)
	}
	id := run.GetID()
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	st, err := queryStatus(s.temporal, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.AI == nil || st.AI.State != workflows.AIDone || st.AI.Usage.Requests != 7 || st.AI.Suggestions != 12 {
		t.Fatalf("status.ai = %+v; want done with 7 requests and 12 suggestions", st.AI)
	}
	for _, q := range model.Requests() {
		if q.Auth != "Bearer sk-e2e" || q.Model != "e2e-model" {
			t.Errorf("model request %+v", q)
		}
	}

	var out, errOut bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &errOut, Dial: func(context.Context) (client.Client, error) {
		return client.NewClientFromExisting(s.temporal, client.Options{Namespace: "default"})
	}, Lookup: func(k string) string {
		switch k {
		case "APPROVAL_SIGNING_KEYS":
			return s.signingKeys // bo decides as an operator would mint for him
		case "ARTIFACT_STORE_URL":
			return artifacts
		}
		return ""
	}}
	starter := func(args ...string) error {
		out.Reset()
		errOut.Reset()
		return cli.Run(context.Background(), env, args)
	}
	if err := starter("preview", "--edition", in.Edition, "--summary"); err != nil || !strings.Contains(out.String(), "subject:1, subject:2, subject:3, preheader") {
		t.Errorf("preview --summary: %v\n%s", err, out.String())
	}
	proof := waitProof(t, mp, 1)
	anaToken := tokenIn(t, proof)
	for _, want := range []string{"SUGGESTIONS FROM e2e-model", "subject:2", "suggested: Three things to try before bed tonight", "Plain-language check"} {
		if !strings.Contains(proof, want) {
			t.Errorf("the proof lacks %q:\n%.2000s", want, proof)
		}
	}

	if err := starter("approve", "--edition", in.Edition, "--by", "bo@example.com", "--mint"); err != nil {
		t.Fatalf("approve: %v %s", err, errOut.String())
	}
	if err := starter("approve", "--edition", in.Edition, "--by", "ana@example.com", "--token", anaToken, "--accept", "subject:9"); err == nil || !strings.Contains(err.Error(), `no suggestion "subject:9"`) {
		t.Errorf("accepting an unknown suggestion: %v", err)
	}
	// Refused before the token was spent: it still works.
	if err := starter("approve", "--edition", in.Edition, "--by", "ana@example.com", "--token", anaToken, "--accept", "subject:2,social.x"); err != nil {
		t.Fatalf("approve --accept: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "new proof") {
		t.Errorf("approve --accept said %q", out.String())
	}
	const subject = "Three things to try before bed tonight"
	anaToken = tokenIn(t, waitProof(t, mp, 2))
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	if st, err = queryStatus(s.temporal, id); err != nil {
		t.Fatal(err)
	}
	if len(st.ApprovedBy) != 0 || len(st.AI.Accepted) != 2 {
		t.Errorf("after accepting: approved by %v (bo's approval must be void), accepted %+v", st.ApprovedBy, st.AI.Accepted)
	}
	if err := starter("approve", "--edition", in.Edition, "--by", "ana@example.com", "--token", anaToken); err != nil {
		t.Fatalf("approve the new proof as ana: %v %s", err, errOut.String())
	}
	if err := starter("approve", "--edition", in.Edition, "--by", "bo@example.com", "--mint"); err != nil {
		t.Fatalf("approve the new proof as bo: %v %s", err, errOut.String())
	}
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if res.AI == nil || res.AI.Model != "e2e-model" || len(res.AI.Accepted) != 2 || res.AI.Accepted[0].By != "ana@example.com" {
		t.Errorf("result.ai = %+v", res.AI)
	}
	recordHistory(t, s, id, "artifacts-suggestions-accepted")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := s.contactCount + 4 // two proofs to two approvers
	var list mailpittest.List
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if list = mp.Messages(t, 500); list.Total >= want {
			break
		}
	}
	sent := 0
	for _, m := range list.Messages {
		switch {
		case strings.HasPrefix(m.Subject, "[Proof] "):
		case m.Subject == subject:
			sent++
		default:
			t.Errorf("a recipient got subject %q, want the accepted %q", m.Subject, subject)
		}
	}
	if sent != s.contactCount || list.Total != want {
		t.Errorf("%d of %d contacts got the accepted subject; mailpit holds %d, want %d", sent, s.contactCount, list.Total, want)
	}
}

// tokenIn is the approve token of a proof's starter command.
func tokenIn(t *testing.T, proof string) string {
	t.Helper()
	m := regexp.MustCompile(`starter approve --workflow-id \S+ --by '[^']+' --token (\S+)`).FindStringSubmatch(proof)
	if m == nil {
		t.Fatalf("the proof has no approve command:\n%.1500s", proof)
	}
	return m[1]
}

// waitProof waits for the n-th proof to reach ana and returns its text.
func waitProof(t *testing.T, mp *mailpittest.Server, n int) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var proofs []mailpittest.Message
		for _, m := range mp.Messages(t, 500).Messages {
			if strings.HasPrefix(m.Subject, "[Proof] ") && len(m.To) > 0 && m.To[0].Address == "ana@example.com" {
				proofs = append(proofs, m)
			}
		}
		if len(proofs) >= n {
			var msg struct{ Text string }
			mailpittest.GetJSON(t, mp.API+"/api/v1/message/"+proofs[0].ID, &msg) // newest first
			return msg.Text
		}
	}
	t.Fatalf("proof %d did not arrive", n)
	return ""
}
