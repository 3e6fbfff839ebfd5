package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/internal/cli"
	"github.com/halcytone/contentgen/social/fake"
	"github.com/halcytone/contentgen/workflows"
)

// TestSocialEditsOnTheApprovalPage: Ana opens her approve link in
// Chromium, rewrites the Mastodon post and turns X off, and saves. The
// edition gets a new revision, her spent link stops working, and a new
// proof shows the changed posts. She turns X back on with starter social
// edit and approves the third proof: the edited post goes out on Mastodon
// and X posts. Opening the page or fetching the save address changes
// nothing; other links cannot save.
func TestSocialEditsOnTheApprovalPage(t *testing.T) {
	browsertest.Chromium(t)
	masto, mastoSrv := fakeMastodon(t)
	xfake := fake.NewX("e2e-x-client", "e2e-x-secret", "e2e-x-refresh")
	xSrv := httptest.NewServer(xfake)
	t.Cleanup(xSrv.Close)
	env := map[string]string{"MASTODON_SERVER": mastoSrv.URL, "MASTODON_ACCESS_TOKEN": "e2e-mastodon-token",
		"X_API_URL": xSrv.URL, "X_CLIENT_ID": "e2e-x-client", "X_CLIENT_SECRET": "e2e-x-secret", "X_REFRESH_TOKEN": "e2e-x-refresh"}
	networks := socialNetworks(t, env)
	mp, mailer := startMailpit(t)
	s := startStack(t, stackOptions{mailer: mailer, mode: crmserver.ModeSMTP, social: networks})
	id := startSigned(t, s, "2026-W52", "markdown:examples/living-document.md", 1)
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	proof := mp.WaitFor(t, "ana@example.com", "[Proof] ", nil, 30*time.Second)
	if !strings.Contains(proof.Text, "SOCIAL POSTS") || !strings.Contains(proof.Text, activities.XLinkNote) {
		t.Errorf("proof lacks the social posts or X's link-post pricing:\n%.1500s", proof.Text)
	}
	links := proofLinks(t, proof)
	before := mustStatus(t, s, id)
	var mastoText string
	for _, p := range before.Social {
		if p.Network == "mastodon" {
			mastoText = p.Text
		}
	}
	i := strings.Index(mastoText, s.platformURL+"/updates/")
	if i < 0 {
		t.Fatalf("mastodon draft %q has no link to the update", mastoText)
	}
	link := strings.Fields(mastoText[i:])[0]
	edited := "Sleep mode is here: breathe out longer tonight. " + link

	// Mail scanners fetch every link: the page and the save address show,
	// they never act.
	code, body := httpGet(t, links[token.ActionApprove])
	if code != http.StatusOK || !strings.Contains(body, `id="text-mastodon"`) || !strings.Contains(body, activities.XLinkNote) {
		t.Fatalf("GET approve link: %d, want the social posts with X's pricing note:\n%.1500s", code, body)
	}
	u, _ := url.Parse(links[token.ActionApprove])
	socialURL := u.Scheme + "://" + u.Host + "/social"
	if code, _ := httpGet(t, socialURL+"?"+u.RawQuery); code == http.StatusOK {
		t.Errorf("GET /social answered %d; only the page's POST may save", code)
	}
	// Only the approver's approve token saves: not her reject link, not a
	// forged one.
	for name, tok := range map[string]string{"reject link": tokenOf(links[token.ActionReject]), "forged": "v1.forged.token"} {
		resp, err := http.PostForm(socialURL, url.Values{"token": {tok}, "text.mastodon": {edited}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Errorf("%s saved the social posts", name)
		}
	}
	if st := mustStatus(t, s, id); len(st.Decisions) != 0 || st.ContentRevision != before.ContentRevision {
		t.Fatalf("fetching or forging changed the run: %+v", st.Decisions)
	}

	after := browsertest.Click(t, links[token.ActionApprove], "#save-social",
		browsertest.TypeFirst("#text-mastodon", edited), browsertest.ClickFirst("#post-x"))
	if !strings.Contains(after, "social post changes recorded") || !strings.Contains(after, "new proof") {
		t.Fatalf("after saving Chromium shows:\n%.1200s", after)
	}
	st := mustStatus(t, s, id)
	plan := map[string]activitytypes.SocialPlan{}
	for _, p := range st.Social {
		plan[p.Network] = p
	}
	if st.ContentRevision == before.ContentRevision || plan["mastodon"].Text != edited || plan["x"].Post {
		t.Fatalf("after saving: revision %.12s (was %.12s), plan %+v", st.ContentRevision, before.ContentRevision, st.Social)
	}
	if len(st.Decisions) != 1 || !st.Decisions[0].Verified || st.Decisions[0].Counted || !strings.Contains(st.Decisions[0].Note, "changed the social posts") {
		t.Errorf("audit trail %+v: want ana's verified change, not counted as an approval", st.Decisions)
	}
	code, body = httpGet(t, links[token.ActionApprove])
	refusedAs(t, s, id, "spent link after the change", code, body, workflows.ProblemUsed, len(st.Decisions))

	newProof := mp.WaitFor(t, "ana@example.com", "[Proof] ", map[string]bool{proof.ID: true}, 30*time.Second)
	if !strings.Contains(newProof.Text, edited) || !strings.Contains(newProof.Text, "X: stays a draft") || strings.Contains(newProof.Text, activities.XLinkNote) {
		t.Errorf("new proof does not show the changed posts:\n%.1500s", newProof.Text)
	}

	// From the command line, with the new proof's approve token: X back on.
	var out bytes.Buffer
	e := &cli.Env{Lookup: func(string) string { return "" }, Stdout: &out, Stderr: &out,
		Dial: func(ctx context.Context) (client.Client, error) {
			return client.Dial(client.Options{HostPort: s.address})
		}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cli.Run(ctx, e, []string{"social", "edit", "--workflow-id", id, "--by", "ana@example.com",
		"--token", tokenOf(proofLinks(t, newProof)[token.ActionApprove]), "--post", "x=on"}); err != nil || !strings.Contains(out.String(), "social posts changed") {
		t.Fatalf("starter social edit: %v\n%s", err, out.String())
	}
	third := mp.WaitFor(t, "ana@example.com", "[Proof] ", map[string]bool{proof.ID: true, newProof.ID: true}, 30*time.Second)
	if !strings.Contains(third.Text, "X: will post") || !strings.Contains(third.Text, activities.XLinkNote) || !strings.Contains(third.Text, edited) {
		t.Errorf("third proof should show X on again with its pricing note, and keep the Mastodon edit:\n%.1500s", third.Text)
	}
	if code, body := confirm(t, proofLinks(t, third)[token.ActionApprove], ""); code != http.StatusOK {
		t.Fatalf("approve the new proof: %d\n%.500s", code, body)
	}
	res := result(t, s, id)
	posts := map[string]activitytypes.SocialPost{}
	for _, p := range res.Posts {
		posts[p.Network] = p
	}
	if res.Outcome != workflows.OutcomeSent || posts["mastodon"].Status != activitytypes.SocialPosted || posts["x"].Status != activitytypes.SocialPosted {
		t.Fatalf("result %s, posts %+v", res.Outcome, res.Posts)
	}
	sts := masto.Statuses()
	if len(sts) != 1 || !strings.Contains(sts[0].Content, "Sleep mode is here: breathe out longer tonight.") || len(xfake.Tweets()) != 1 {
		t.Errorf("mastodon %+v, %d tweets: want the edited post and one on X", sts, len(xfake.Tweets()))
	}
}
