package sendctl

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/workflows"
)

// An approver pauses and resumes the send in flight from the approval
// page, in Chromium: opening a link only shows the send (as a mail
// scanner would fetch it), pressing the button acts. The beta segment
// (every third contact) keeps it short; everyone is reached once.
func pagePauseResume(r *rig) {
	t := r.t
	browsertest.Chromium(t)
	srv := httptest.NewServer(approvals.New(approvals.Config{Temporal: r.temporal, Keys: r.keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	link := func(id, action string) string { return srv.URL + "/decide?token=" + r.approverToken(id, action) }

	id := r.start("2027-W02", []string{"beta"})
	held := r.gate.arm(3)
	r.approve(id)
	<-held
	r.gate.waitReplies(t, id, 3)

	pause := link(id, token.ActionPauseSend)
	// A scanner's GET changes nothing.
	resp, err := http.Get(pause)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Pause the send of edition 2027-W02?") || !strings.Contains(string(body), `data-state="sending"`) {
		t.Fatalf("pause page: %d\n%.600s", resp.StatusCode, body)
	}
	if st := r.status(id); st.Stage != workflows.StageSending {
		t.Fatalf("after opening the pause link the stage is %s; want still sending", st.Stage)
	}
	after := browsertest.Click(t, pause, "#confirm")
	if !strings.Contains(after, "Pause the send recorded") {
		t.Fatalf("after the pause click Chromium shows:\n%.800s", after)
	}
	st := r.waitStage(id, workflows.StagePaused)
	if st.Send.Accepted != 3000 || len(st.Delivery.Controls) != 1 || !st.Delivery.Controls[0].Counted || st.Delivery.Controls[0].By != approver {
		t.Fatalf("paused: send %+v controls %+v; want 3000 sent and ana's pause", st.Send, st.Delivery.Controls)
	}
	// The same link again is refused: each works once.
	if again := browsertest.DumpDOM(t, pause); !strings.Contains(again, `data-kind="used"`) {
		t.Errorf("the used pause link shows:\n%.600s", again)
	}
	resume := link(id, token.ActionResumeSend)
	after = browsertest.Click(t, resume, "#confirm")
	if !strings.Contains(after, "Resume the send recorded") {
		t.Fatalf("after the resume click Chromium shows:\n%.800s", after)
	}
	res := r.result(id)
	beta := map[string]bool{}
	for _, c := range crmserver.GenerateContacts(0, recipients) {
		if slices.Contains(c.Segments, "beta") {
			beta[strings.ToLower(c.Email)] = true
		}
	}
	if res.Outcome != workflows.OutcomeSent || res.Send.Accepted != len(beta) {
		t.Fatalf("result %q send %+v; want all %d of beta", res.Outcome, res.Send, len(beta))
	}
	seen := r.deliveries(id)
	for addr := range beta {
		if seen[addr] != 1 {
			t.Errorf("%s got the edition %d times, want once", addr, seen[addr])
		}
	}
	if len(seen) != len(beta) {
		t.Errorf("delivery log has %d addresses, want %d", len(seen), len(beta))
	}
}
