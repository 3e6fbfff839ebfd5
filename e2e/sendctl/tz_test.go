package sendctl

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals/token"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/workflows"
)

// tzZones are the zones of the time-zone contacts, 1,500 each; "" has none.
var tzZones = []string{"Asia/Tokyo", "Europe/Berlin", "UTC", ""}

const tzPerZone = 1500

func tzContacts() []crmserver.SeedContact {
	var out []crmserver.SeedContact
	for z, zone := range tzZones {
		for i := range tzPerZone {
			c := crmserver.SeedContact{Email: fmt.Sprintf("tz%d-%04d@example.com", z, i), Name: fmt.Sprintf("Zone %d reader %d", z, i), Segments: []string{"tz"}}
			if zone != "" {
				c.Attributes = map[string]string{"timezone": zone}
			}
			out = append(out, c)
		}
	}
	return out
}

// A send by time zone whose send time has passed in every zone sends the
// groups one after another at once. Paused in the second group and
// resumed, it reaches every recipient exactly once, as the CRM's delivery
// log shows, and the status tells each group's state.
func tzPauseResume(r *rig) {
	t := r.t
	ctx := context.Background()
	if _, err := r.crm.InsertContacts(ctx, tzContacts()); err != nil {
		t.Fatal(err)
	}
	ed := "2027-W01"
	id := workflows.WorkflowID(ed)
	// An hour ago on the UTC clock: that clock has passed in Tokyo, Berlin
	// and UTC; those without a zone go at the approval.
	sendAt := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	in := workflows.Input{Edition: ed, Source: "markdown:examples/living-document.md", Approvers: []string{approver},
		Channels: []string{workflows.ChannelEmail}, Force: true, Audience: []string{"tz"},
		SendAt: sendAt.Format(time.RFC3339), TZWindows: true}
	if _, err := r.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue}, workflows.WorkflowName, in); err != nil {
		t.Fatal(err)
	}
	// Before approval the plan is the send time's: those without a zone
	// share UTC's instant. Approved late, they go at the approval.
	st := r.waitStage(id, workflows.StageAwaitingApproval)
	if d := st.Delivery; d == nil || len(d.Groups) != 3 || d.NoTimezone != tzPerZone || d.Groups[2].Summary != "UTC and 1 more at "+sendAt.Format("2006-01-02 15:04")+" UTC waiting" {
		t.Fatalf("groups before approval: %+v", d)
	}
	held := r.gate.arm(3) // Tokyo's two pages, Berlin's first
	r.approve(id)
	<-held
	r.gate.waitReplies(t, id, 3)
	r.control(id, workflows.UpdatePauseSend, approver, r.approverToken(id, token.ActionPauseSend))
	st = r.waitStage(id, workflows.StagePaused)
	clock := sendAt.Format("15:04")
	want := []string{
		"Asia/Tokyo " + clock + " sent 1500",
		"Europe/Berlin " + clock + " paused after 1000 of 1500",
	}
	got := []string{}
	for _, g := range st.Delivery.Groups {
		got = append(got, g.Summary)
	}
	if len(got) != 4 || !slices.Equal(got[:2], want) || !strings.HasSuffix(got[2], "waiting") || !strings.HasSuffix(got[3], "waiting") {
		t.Fatalf("paused: groups %q; want %q then two waiting", got, want)
	}
	if st.Send.Accepted != 2500 || len(r.deliveries(id)) != 2500 {
		t.Fatalf("paused: %d accepted; want 2500", st.Send.Accepted)
	}
	r.control(id, workflows.UpdateResumeSend, approver, r.approverToken(id, token.ActionResumeSend))
	res := r.result(id)
	total := len(tzZones) * tzPerZone
	if res.Outcome != workflows.OutcomeSent || res.Send.Accepted != total || len(res.Delivery.Groups) != 4 {
		t.Fatalf("result %q, send %+v", res.Outcome, res.Send)
	}
	for _, g := range res.Delivery.Groups {
		if g.State != workflows.GroupSent || g.Sent != tzPerZone {
			t.Errorf("group %+v, want sent to %d", g, tzPerZone)
		}
	}
	seen := r.deliveries(id)
	for _, c := range tzContacts() {
		if n := seen[strings.ToLower(c.Email)]; n != 1 {
			t.Errorf("%s delivered %d times, want once", c.Email, n)
		}
	}
	if len(seen) != total {
		t.Errorf("delivery log has %d addresses, want %d", len(seen), total)
	}
	r.recordHistory(id, "send-tz-paused-resumed")
}
