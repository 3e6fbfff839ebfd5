package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/social"
)

// updateLink is the link to the update in a status's drafts.
func updateLink(t *testing.T, st Status) string {
	t.Helper()
	for _, p := range st.Social {
		if i := strings.Index(p.Text, "https://example.com/updates/"); i >= 0 {
			link := p.Text[i:]
			if j := strings.IndexAny(link, " \n"); j >= 0 {
				link = link[:j]
			}
			return link
		}
	}
	t.Fatalf("no draft links to the update: %+v", st.Social)
	return ""
}

// An approver rewrites the Mastodon post and keeps X a draft; the editor
// changes the document and the edition is refreshed: the new render keeps
// both, X still says who kept it a draft, the new proof shows them, and
// they are what goes out.
func TestSocialEditsSurviveRefresh(t *testing.T) {
	n := newNetworks(t)
	h := newSocialHarness(t, n.clients, testDoc("Exhale longer than you inhale."), testDoc("New tip: hum on the exhale."))
	in := input()
	in.RequiredApprovals = 2
	var before, edited, refreshed Status
	var text string
	h.env.RegisterDelayedCallback(func() {
		before = h.status(t)
		text = "Breathe out longer tonight. " + updateLink(t, before)
		h.env.SignalWorkflow(SignalApprove, h.withToken(SignalApprove, ApproveSignal{By: "ana@example.com",
			Social: []SocialEdit{{Network: social.Mastodon, Text: text}, {Network: social.X, Post: ptr(false)}}}))
	}, 10*time.Second)
	h.env.RegisterDelayedCallback(func() { edited = h.status(t) }, 20*time.Second)
	h.signalAt(30*time.Second, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() { refreshed = h.status(t) }, 45*time.Second)
	h.signedAt(2*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	res := h.run(t, in) // ana approves the newest proof at 1 min

	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	if edited.ContentRevision == before.ContentRevision || planByNetwork(edited)[social.Mastodon].Text != text {
		t.Fatalf("the edit was not applied before the refresh: %+v", edited.Social)
	}
	if refreshed.Refreshes != 1 || refreshed.ContentRevision == edited.ContentRevision {
		t.Fatalf("refreshes %d, revision %.12s → %.12s: want a new version of the changed document", refreshed.Refreshes, edited.ContentRevision, refreshed.ContentRevision)
	}
	plan := planByNetwork(refreshed)
	if m := plan[social.Mastodon]; m.Text != text || !m.Post {
		t.Errorf("mastodon after the refresh %+v, want the edited text %q", m, text)
	}
	if x := plan[social.X]; x.Post || x.Why != "turned off at approval by ana@example.com" {
		t.Errorf("x after the refresh %+v, want kept a draft by ana", x)
	}
	proofs := h.proofs()
	if len(proofs) != 3 {
		t.Fatalf("%d proofs to ana, want the first, the edited and the refreshed", len(proofs))
	}
	if last := proofs[2].Text; !strings.Contains(last, "X: stays a draft") || !strings.Contains(last, text) || !strings.Contains(last, "hum on the exhale") {
		t.Errorf("the refreshed proof does not show the new document with the edited posts:\n%s", last)
	}
	posts := postsByNetwork(res)
	if posts[social.X].Status != activitytypes.SocialDisabled || len(n.x.Tweets()) != 0 {
		t.Errorf("x %+v with %d tweets, want kept a draft", posts[social.X], len(n.x.Tweets()))
	}
	st := n.mastodon.Statuses()
	if len(st) != 1 || !strings.Contains(st[0].Content, "Breathe out longer tonight.") {
		t.Errorf("mastodon statuses %+v: want the edited post", st)
	}
	for _, d := range res.Decisions {
		if d.Dropped != "" {
			t.Errorf("decision %+v marked dropped: every edit fits the new version", d)
		}
	}
}

// retitled is testDoc with another title: the update's slug, so its URL,
// changes.
func retitled(tip string) content.Document {
	d := testDoc(tip)
	d.Title = "Halcytone Weekly: the long exhale"
	d.Revision = "rev-retitled"
	return d
}

// The refresh retitles the update, so its URL changes: an edited post
// that links the old URL is rewritten to the new one; one the longer URL
// takes over the network's limit is dropped, and the status, the audit
// trail and the new proof say why; a choice to keep a draft stays.
func TestSocialEditsFollowTheNewURLOrAreDroppedWithReason(t *testing.T) {
	n := newNetworks(t)
	h := newSocialHarness(t, n.clients, testDoc("Exhale longer than you inhale."), retitled("Exhale longer than you inhale."))
	in := input()
	in.RequiredApprovals = 2
	var before, refreshed Status
	var mastodonText, blueskyText, oldLink string
	h.env.RegisterDelayedCallback(func() {
		before = h.status(t)
		oldLink = updateLink(t, before)
		mastodonText = "Breathe out longer tonight: " + oldLink + " (and tell us how it went)"
		// Exactly Bluesky's limit with the old link, which it counts in full.
		blueskyText = strings.Repeat("h", 300-1-len(oldLink)) + " " + oldLink
		h.env.SignalWorkflow(SignalApprove, h.withToken(SignalApprove, ApproveSignal{By: "ana@example.com",
			Social: []SocialEdit{{Network: social.Mastodon, Text: mastodonText}, {Network: social.Bluesky, Text: blueskyText},
				{Network: social.LinkedIn, Post: ptr(false)}}}))
	}, 10*time.Second)
	h.signalAt(30*time.Second, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() { refreshed = h.status(t) }, 45*time.Second)
	h.signedAt(2*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
	res := h.run(t, in)

	if res.Outcome != OutcomeSent {
		t.Fatalf("outcome %q", res.Outcome)
	}
	newLink := updateLink(t, refreshed)
	if newLink == oldLink {
		t.Fatalf("the update's URL %s did not change with the title", newLink)
	}
	plan := planByNetwork(refreshed)
	if want := strings.Replace(mastodonText, oldLink, newLink, 1); plan[social.Mastodon].Text != want {
		t.Errorf("mastodon after the refresh %q, want the edit linking the new URL %q", plan[social.Mastodon].Text, want)
	}
	if b := plan[social.Bluesky].Text; strings.HasPrefix(b, "hhh") || !strings.Contains(b, newLink) {
		t.Errorf("bluesky after the refresh %q, want the derived draft: the edit no longer fits", b)
	}
	if l := plan[social.LinkedIn]; l.Post || l.Why != "turned off at approval by ana@example.com" {
		t.Errorf("linkedin after the refresh %+v, want kept a draft by ana", l)
	}
	const why = "over the limit of 300"
	if w := strings.Join(refreshed.Warnings, "\n"); !strings.Contains(w, "Bluesky post") || !strings.Contains(w, why) {
		t.Errorf("status warnings %q do not say why the Bluesky edit was dropped", refreshed.Warnings)
	}
	var marked bool
	for _, d := range res.Decisions {
		if d.By == "ana@example.com" && strings.Contains(d.Note, "changed the social posts") {
			marked = strings.Contains(d.Dropped, "bluesky") && strings.Contains(d.Dropped, why) && !strings.Contains(d.Dropped, "mastodon")
		}
	}
	if !marked {
		t.Errorf("audit trail %+v: ana's edit is not marked with the dropped Bluesky text and why", res.Decisions)
	}
	proofs := h.proofs()
	if len(proofs) != 3 {
		t.Fatalf("%d proofs to ana, want the first, the edited and the refreshed", len(proofs))
	}
	if last := proofs[2].Text; !strings.Contains(last, why) || !strings.Contains(last, plan[social.Mastodon].Text) {
		t.Errorf("the refreshed proof does not show the posts as they are and the dropped edit:\n%s", last)
	}
	st := n.mastodon.Statuses()
	if len(st) != 1 || !strings.Contains(st[0].Content, newLink) || strings.Contains(st[0].Content, oldLink+" ") {
		t.Errorf("mastodon statuses %+v: want the edited post with the new link", st)
	}
	if len(n.linkedin.Posts()) != 0 {
		t.Error("linkedin posted: ana kept it a draft")
	}
}

// xDraft is the X draft in st.
func xDraft(st Status) activitytypes.SocialPlan { return planByNetwork(st)[social.X] }

// The last change to a post is the one a refresh keeps: an approver's
// edit over an accepted suggestion stays the post, and a suggestion
// accepted over an edit replaces it. A refresh that changes nothing keeps
// the edition as approved: no approval is voided, no proof is sent.
func TestRefreshKeepsTheLastChangeToASocialPost(t *testing.T) {
	for _, editLast := range []bool{true, false} {
		name := map[bool]string{true: "edit over suggestion", false: "suggestion over edit"}[editLast]
		t.Run(name, func(t *testing.T) {
			h := newAIHarness(t, &aifake.Server{})
			in := input()
			in.RequiredApprovals = 2
			var edit string
			var changed, refreshed Status
			accept := func(at time.Duration) {
				h.signedAt(at, SignalApprove, ApproveSignal{By: "ana@example.com", Accept: []string{"social.x"}})
			}
			editX := func(at time.Duration) {
				h.env.RegisterDelayedCallback(func() {
					edit = "My own words on breathing. " + updateLink(t, h.status(t))
					h.env.SignalWorkflow(SignalApprove, h.withToken(SignalApprove, ApproveSignal{By: "ana@example.com",
						Social: []SocialEdit{{Network: social.X, Text: edit}}}))
				}, at)
			}
			if editLast {
				accept(time.Minute)
				editX(2 * time.Minute)
			} else {
				editX(time.Minute)
				accept(2 * time.Minute)
			}
			h.signedAt(3*time.Minute, SignalApprove, ApproveSignal{By: "bo@example.com"})
			h.env.RegisterDelayedCallback(func() { changed = h.status(t) }, 4*time.Minute)
			h.signalAt(5*time.Minute, SignalRefresh, RefreshSignal{By: "ed@example.com"})
			h.env.RegisterDelayedCallback(func() { refreshed = h.status(t) }, 6*time.Minute)
			h.signedAt(7*time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
			res := h.run(t, in)

			if res.Outcome != OutcomeSent {
				t.Fatalf("outcome %q", res.Outcome)
			}
			x := xDraft(refreshed).Text
			if editLast && x != edit {
				t.Errorf("x after the refresh %q, want ana's edit %q", x, edit)
			}
			if !editLast && (x == edit || !strings.HasPrefix(x, "New this week at Halcytone")) {
				t.Errorf("x after the refresh %q, want the suggestion accepted after the edit", x)
			}
			if x != xDraft(changed).Text || refreshed.Refreshes != 1 || refreshed.ContentRevision != changed.ContentRevision ||
				strings.Join(refreshed.ApprovedBy, ",") != "bo@example.com" {
				t.Errorf("refresh %d of an unchanged document: revision %.12s → %.12s, approved by %v; want the edition and bo's approval as they were",
					refreshed.Refreshes, changed.ContentRevision, refreshed.ContentRevision, refreshed.ApprovedBy)
			}
			if n := len(h.proofs()); n != 3 {
				t.Errorf("%d proofs to ana, want the first and one per change, none for the refresh", n)
			}
			for _, d := range res.Decisions {
				if d.Dropped != "" {
					t.Errorf("decision %+v marked dropped", d)
				}
			}
		})
	}
}

// A refresh rendered by a worker that does not carry edits over loses
// them, and says so: the posting choice and the text are reported left
// out, and the plan follows the run's settings again.
func TestSocialEditsARenderDidNotCarryAreReported(t *testing.T) {
	h := newHarness(t, testDoc("Exhale longer than you inhale."), testDoc("New tip: hum on the exhale."))
	h.env.OnActivity(a.PrepareEdition, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activitytypes.PrepareInput) (activitytypes.PrepareResult, error) {
		in.Social = nil // as a worker from before SocialEdits would read it
		return h.acts.PrepareEdition(ctx, in)
	})
	var refreshed Status
	var text string
	h.env.RegisterDelayedCallback(func() {
		text = "Breathe out longer tonight. " + updateLink(t, h.status(t))
		h.env.SignalWorkflow(SignalApprove, h.withToken(SignalApprove, ApproveSignal{By: "ana@example.com",
			Social: []SocialEdit{{Network: social.Mastodon, Text: text}, {Network: social.X, Post: ptr(false)}}}))
	}, 10*time.Second)
	h.signalAt(30*time.Second, SignalRefresh, RefreshSignal{By: "ed@example.com"})
	h.env.RegisterDelayedCallback(func() { refreshed = h.status(t) }, 45*time.Second)
	h.signedAt(time.Minute, SignalReject, RejectSignal{By: "ana@example.com", Reason: "done"})
	res := h.run(t, input())

	plan := planByNetwork(refreshed)
	if plan[social.Mastodon].Text == text || !plan[social.X].Post {
		t.Errorf("plan after the refresh %+v: the render carried nothing, so the drafts are the edition's own", refreshed.Social)
	}
	w := strings.Join(refreshed.Warnings, "\n")
	for _, want := range []string{"the Mastodon post ana@example.com edited is left out", "the X post's choice to keep a draft from ana@example.com is left out", "cannot carry edits over a refresh"} {
		if !strings.Contains(w, want) {
			t.Errorf("status warnings %q lack %q", refreshed.Warnings, want)
		}
	}
	if d := res.Decisions[0]; !strings.Contains(d.Dropped, "mastodon text left out") || !strings.Contains(d.Dropped, "x choice to keep a draft left out") {
		t.Errorf("ana's edit %+v: want both edits marked dropped", d)
	}
}
