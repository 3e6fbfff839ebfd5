package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/workflows"
)

// TestSocialEditsSurviveARefresh: Ana rewrites the Mastodon and Bluesky
// posts and keeps LinkedIn a draft; the editor then retitles the document
// and the edition is refreshed, so the update's URL changes. The new
// version keeps the Mastodon post, linking the new URL, and LinkedIn kept
// a draft by Ana; the Bluesky post no longer fits with the longer link and
// is left out, which the status, the audit trail and the new proof in
// Ana's inbox say. The approved edition posts what the proof showed.
func TestSocialEditsSurviveARefresh(t *testing.T) {
	masto, mastoSrv := fakeMastodon(t)
	_, skySrv := fakeBluesky(t)
	env := map[string]string{"MASTODON_SERVER": mastoSrv.URL, "MASTODON_ACCESS_TOKEN": "e2e-mastodon-token",
		"BLUESKY_SERVICE": skySrv.URL, "BLUESKY_HANDLE": "halcytone.test", "BLUESKY_APP_PASSWORD": "e2e-app-password"}
	networks := socialNetworks(t, env)
	mp, mailer := startMailpit(t)
	s := startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP, social: networks})
	doc := editableDoc(t)
	id := startSigned(t, s, "2026-W51", "markdown:"+doc, 1)
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	seen := map[string]bool{mp.WaitFor(t, "ana@example.com", "[Proof] ", nil, 30*time.Second).ID: true}

	before := mustStatus(t, s, id)
	oldLink := updateLinkIn(t, s, before)
	mastoText := "Sleep mode is here: breathe out longer tonight. " + oldLink
	// Exactly Bluesky's limit with the old link, which it counts in full.
	skyText := strings.Repeat("z", 300-1-len(oldLink)) + " " + oldLink
	off := false
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.temporal.SignalWorkflow(ctx, id, "", workflows.SignalApprove, workflows.ApproveSignal{By: "ana@example.com",
		Token:  s.mint(t, id, "ana@example.com", workflows.SignalApprove),
		Social: []workflows.SocialEdit{{Network: "mastodon", Text: mastoText}, {Network: "bluesky", Text: skyText}, {Network: "linkedin", Post: &off}}}); err != nil {
		t.Fatal(err)
	}
	seen[mp.WaitFor(t, "ana@example.com", "[Proof] ", seen, 30*time.Second).ID] = true
	edited := mustStatus(t, s, id)
	if plan := socialPlan(edited); edited.ContentRevision == before.ContentRevision || plan["mastodon"].Text != mastoText || plan["bluesky"].Text != skyText {
		t.Fatalf("the edits were not made: %+v", edited.Social)
	}

	b, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	retitled := strings.Replace(string(b), "title: Halcytone Weekly — Breathe Easier", "title: Halcytone Weekly — Breathe Easier, Sleep Deeper", 1)
	if err := os.WriteFile(doc, []byte(retitled), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.temporal.SignalWorkflow(ctx, id, "", workflows.SignalRefresh, workflows.RefreshSignal{By: "ed@example.com"}); err != nil {
		t.Fatal(err)
	}
	st := waitRefreshed(t, s, id, 1)
	newLink := updateLinkIn(t, s, st)
	if newLink == oldLink {
		t.Fatalf("the update's URL %s did not change with the title", newLink)
	}
	plan := socialPlan(st)
	wantMasto := strings.ReplaceAll(mastoText, oldLink, newLink)
	if plan["mastodon"].Text != wantMasto {
		t.Errorf("mastodon after the refresh %q, want the edit linking the new URL", plan["mastodon"].Text)
	}
	if strings.HasPrefix(plan["bluesky"].Text, "zzz") {
		t.Errorf("bluesky after the refresh %q: the edit no longer fits and must be left out", plan["bluesky"].Text)
	}
	if l := plan["linkedin"]; l.Post || l.Why != "turned off at approval by ana@example.com" {
		t.Errorf("linkedin after the refresh %+v, want kept a draft by ana", l)
	}
	const why = "over the limit of 300"
	if w := strings.Join(st.Warnings, "\n"); !strings.Contains(w, "Bluesky post ana@example.com edited is left out") || !strings.Contains(w, why) {
		t.Errorf("status warnings %q do not say why the Bluesky edit was left out", st.Warnings)
	}
	if d := st.Decisions[0]; d.By != "ana@example.com" || !strings.Contains(d.Dropped, "bluesky text left out") || !strings.Contains(d.Dropped, why) {
		t.Errorf("audit trail %+v: ana's edit is not marked with the dropped Bluesky text", st.Decisions)
	}
	proof := mp.WaitFor(t, "ana@example.com", "[Proof] ", seen, 30*time.Second)
	if !strings.Contains(proof.Text, why) || !strings.Contains(proof.Text, wantMasto) || !strings.Contains(proof.Text, "LinkedIn: stays a draft") {
		t.Errorf("the refreshed proof does not show the posts as they now are and the dropped edit:\n%.2500s", proof.Text)
	}

	res := approveAndWait(t, s, id)
	posts := map[string]activitytypes.SocialPost{}
	for _, p := range res.Posts {
		posts[p.Network] = p
	}
	if posts["mastodon"].Status != activitytypes.SocialPosted || posts["bluesky"].Status != activitytypes.SocialPosted {
		t.Errorf("posts %+v: want Mastodon and Bluesky posted", res.Posts)
	}
	if sts := masto.Statuses(); len(sts) != 1 || !strings.Contains(sts[0].Content, "Sleep mode is here") || !strings.Contains(sts[0].Content, newLink) {
		t.Errorf("mastodon statuses %+v: want the edited post with the new link", sts)
	}
	recordHistory(t, s, id, "signed-social-edits-refresh")
}

// updateLinkIn is the link to the update in st's Mastodon draft.
func updateLinkIn(t *testing.T, s *stack, st workflows.Status) string {
	t.Helper()
	text := socialPlan(st)["mastodon"].Text
	i := strings.Index(text, s.platformURL+"/updates/")
	if i < 0 {
		t.Fatalf("mastodon draft %q has no link to the update", text)
	}
	return strings.Fields(text[i:])[0]
}

func socialPlan(st workflows.Status) map[string]activitytypes.SocialPlan {
	plan := map[string]activitytypes.SocialPlan{}
	for _, p := range st.Social {
		plan[p.Network] = p
	}
	return plan
}
