package workflows

import (
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/social"
)

func ptr[T any](v T) *T { return &v }

func planByNetwork(st Status) map[string]activitytypes.SocialPlan {
	out := map[string]activitytypes.SocialPlan{}
	for _, p := range st.Social {
		out[p.Network] = p
	}
	return out
}

// An approver edits the Mastodon draft and keeps X a draft with their
// approve token: the edition is rendered again, earlier approvals are
// voided, a new proof shows the change, and what goes out is what was
// approved last.
func TestApproverEditsSocialPostsAtApproval(t *testing.T) {
	n := newNetworks(t)
	h := newSocialHarness(t, n.clients) // ana approves the newest proof at 1 min
	in := input()
	in.RequiredApprovals = 2
	var before, after Status
	var edited string
	h.signedAt(10*time.Second, SignalApprove, ApproveSignal{By: "bo@example.com"})
	h.env.RegisterDelayedCallback(func() {
		before = h.status(t)
		link := "https://example.com/updates/"
		for _, p := range before.Social {
			if i := strings.Index(p.Text, link); i >= 0 {
				link = p.Text[i:]
				if j := strings.IndexAny(link, " \n"); j >= 0 {
					link = link[:j]
				}
				break
			}
		}
		edited = "Breathe out longer tonight. " + link
	}, 15*time.Second)
	h.env.RegisterDelayedCallback(func() {
		h.env.SignalWorkflow(SignalApprove, h.withToken(SignalApprove, ApproveSignal{By: "ana@example.com",
			Social: []SocialEdit{{Network: social.Mastodon, Text: edited}, {Network: social.X, Post: ptr(false)}}}))
	}, 20*time.Second)
	h.env.RegisterDelayedCallback(func() { after = h.status(t) }, 40*time.Second)
	h.signedAt(2*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	res := h.run(t, in)

	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if !planByNetwork(before)[social.X].Post || len(before.ApprovedBy) != 1 {
		t.Fatalf("before the edit: plan %+v, approved by %v", before.Social, before.ApprovedBy)
	}
	if after.ContentRevision == before.ContentRevision || len(after.ApprovedBy) != 0 {
		t.Errorf("revision %.12s → %.12s, approved by %v: want a new revision with bo's approval voided", before.ContentRevision, after.ContentRevision, after.ApprovedBy)
	}
	plan := planByNetwork(after)
	if plan[social.Mastodon].Text != edited || !plan[social.Mastodon].Post {
		t.Errorf("mastodon plan %+v, want the edited text", plan[social.Mastodon])
	}
	if x := plan[social.X]; x.Post || x.Why != "turned off at approval by ana@example.com" {
		t.Errorf("x plan %+v, want off, saying who turned it off", x)
	}
	proofs := h.proofs()
	if len(proofs) != 2 {
		t.Fatalf("%d proofs to ana, want a new one after the edit", len(proofs))
	}
	if !strings.Contains(proofs[0].Text, activities.XLinkNote) || strings.Contains(proofs[1].Text, activities.XLinkNote) {
		t.Error("the X link-pricing note belongs in the proof while X will post, and only then")
	}
	if !strings.Contains(proofs[1].Text, "X: stays a draft") || !strings.Contains(proofs[1].Text, edited) {
		t.Errorf("the new proof does not show the changed posts:\n%s", proofs[1].Text)
	}
	posts := postsByNetwork(res)
	if posts[social.X].Status != activitytypes.SocialDisabled || len(n.x.Tweets()) != 0 {
		t.Errorf("x %+v with %d tweets, want kept a draft", posts[social.X], len(n.x.Tweets()))
	}
	st := n.mastodon.Statuses()
	if posts[social.Mastodon].Status != activitytypes.SocialPosted || len(st) != 1 || !strings.Contains(st[0].Content, "Breathe out longer tonight.") {
		t.Errorf("mastodon %+v, statuses %+v: want the edited post", posts[social.Mastodon], st)
	}
	var voided, recorded bool
	for _, d := range res.Decisions {
		voided = voided || (d.By == "bo@example.com" && d.Voided && strings.Contains(d.VoidReason, "changed the social posts"))
		recorded = recorded || (d.By == "ana@example.com" && d.Verified && !d.Counted && strings.Contains(d.Note, "mastodon: text edited; x: keep a draft"))
	}
	if !voided || !recorded {
		t.Errorf("audit trail %+v lacks the edit or the voided approval", res.Decisions)
	}
}

// Edits that cannot be made are refused before the token is spent, with
// what to do.
func TestSocialEditsAreChecked(t *testing.T) {
	n := newNetworks(t)
	h := newSocialHarness(t, n.clients)
	cases := map[string]struct {
		edits []SocialEdit
		want  string
	}{
		"too long":    {[]SocialEdit{{Network: social.X, Text: strings.Repeat("a", 300) + " https://example.com/updates/2026-w48-halcytone-weekly"}}, "over X's limit of 280"},
		"no link":     {[]SocialEdit{{Network: social.Bluesky, Text: "No link here"}}, "must keep the link to the update"},
		"unknown":     {[]SocialEdit{{Network: "myspace", Post: ptr(false)}}, `no "myspace" draft`},
		"no change":   {[]SocialEdit{{Network: social.LinkedIn, Post: ptr(true)}}, "nothing changes"},
		"with accept": {nil, "one at a time"},
	}
	got := map[string]error{}
	for name, c := range cases {
		sig := ApproveSignal{By: "ana@example.com", Social: c.edits}
		if c.edits == nil {
			sig.Social, sig.Accept = []SocialEdit{{Network: social.X, Post: ptr(false)}}, []string{"subject:1"}
		}
		h.env.RegisterDelayedCallback(func() {
			h.env.UpdateWorkflow(UpdateApprove, "u-"+name, &updateCallbacks{reject: func(err error) { got[name] = err }}, sig)
		}, 30*time.Second)
	}
	h.run(t, input())
	for name, c := range cases {
		if err := got[name]; err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: refusal %v, want %q", name, err, c.want)
		}
	}
	if len(h.proofs()) != 1 {
		t.Errorf("%d proofs: a refused edit changes nothing", len(h.proofs()))
	}
}
