package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/cli"
	"github.com/halcytone/contentgen/internal/mailpittest"
	"github.com/halcytone/contentgen/workflows"
)

// TestFullStackOverSMTP runs an edition through real SMTP into Mailpit,
// approved with the starter's approve command (a Temporal Update), and
// checks every contact's inbox and the published page.
func TestFullStackOverSMTP(t *testing.T) {
	mp, mailer := startMailpit(t)
	s := startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP})
	id := startEdition(t, s, "2026-W50")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)

	var out, errOut bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &errOut, Dial: func(context.Context) (client.Client, error) {
		return client.NewClientFromExisting(s.temporal, client.Options{Namespace: "default"})
	}}
	// Bo pastes the starter command from his proof email.
	proof := mp.WaitFor(t, "bo@example.com", "[Proof] ", nil, 30*time.Second)
	m := regexp.MustCompile(`starter approve --workflow-id (\S+) --by '([^']+)' --token (\S+)`).FindStringSubmatch(proof.Text)
	if m == nil || m[1] != id || m[2] != "bo@example.com" {
		t.Fatalf("bo's proof has no starter approve command of his own:\n%.1000s", proof.Text)
	}
	// Mallory got hold of Ana's proof: her token does not make him Ana.
	anaProof := mp.WaitFor(t, "ana@example.com", "[Proof] ", nil, 30*time.Second)
	anaTok := regexp.MustCompile(`--token (\S+)`).FindStringSubmatch(anaProof.Text)
	if anaTok == nil {
		t.Fatal("ana's proof has no token")
	}
	err := cli.Run(context.Background(), env, []string{"approve", "--edition", "2026-W50", "--by", "mallory@example.com", "--token", anaTok[1]})
	if approvals.Problem(err) != workflows.ProblemWrongApprover {
		t.Fatalf("approve as mallory with ana's token: %v, want %s", err, workflows.ProblemWrongApprover)
	}
	if err := cli.Run(context.Background(), env, []string{"approve", "--workflow-id", m[1], "--by", m[2], "--token", m[3]}); err != nil {
		t.Fatalf("approve: %v (%s)", err, errOut.String())
	}
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.crm.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	want := s.contactCount + 2 // every contact, plus the proof to two approvers
	var list mailpittest.List
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if list = mp.Messages(t, 500); list.Total >= want {
			break
		}
	}
	inbox := map[string]int{}
	for _, m := range list.Messages {
		if strings.HasPrefix(m.Subject, "[Proof] ") {
			continue
		}
		for _, to := range m.To {
			inbox[strings.ToLower(to.Address)]++
		}
	}
	if len(inbox) != s.contactCount {
		t.Errorf("%d addresses got the edition, want %d: %v", len(inbox), s.contactCount, inbox)
	}
	for addr, n := range inbox {
		if n != 1 {
			t.Errorf("%s got %d copies", addr, n)
		}
	}
	if list.Total != want {
		t.Errorf("mailpit holds %d messages, want %d", list.Total, want)
	}

	resp, err := http.Get(res.UpdateURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Halcytone Weekly") || !strings.Contains(string(page), "Vision") {
		t.Errorf("update page %s: %d, lacks the edition's title or a section", res.UpdateURL, resp.StatusCode)
	}
}
