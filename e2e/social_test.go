package e2e

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/internal/cli"
	"github.com/halcytone/contentgen/workflows"
)

// An approved edition is published, sent, then posted to Mastodon and
// Bluesky (fakes shaped like their APIs, reached through the real
// clients), each once, linking to the live update; X and LinkedIn, with no
// credentials, stay drafts. A post is then deleted by hand with the
// starter.
func TestEndToEndSocialPosting(t *testing.T) {
	masto, mastoSrv := fakeMastodon(t)
	sky, skySrv := fakeBluesky(t)
	// The first Bluesky post's reply is lost: the retry finds it.
	sky.DropNextReply()

	env := map[string]string{
		"MASTODON_SERVER": mastoSrv.URL, "MASTODON_ACCESS_TOKEN": "e2e-mastodon-token",
		"BLUESKY_SERVICE": skySrv.URL, "BLUESKY_HANDLE": "halcytone.test", "BLUESKY_APP_PASSWORD": "e2e-app-password",
	}
	networks := socialNetworks(t, env)
	s := startStack(t, stackOptions{social: networks})
	id := startEdition(t, s, "2026-W50")
	waitStage(t, s.temporal, id, workflows.StageAwaitingApproval)
	tok := s.mint(t, id, "ana@example.com", workflows.SignalApprove)
	temporalCLI(t, s, "workflow", "signal", "--workflow-id", id, "--name", workflows.SignalApprove, "--input", `{"by":"ana@example.com","token":"`+tok+`"}`)
	res := result(t, s, id)
	if res.Outcome != workflows.OutcomeSent || res.Send.Accepted == 0 || res.UpdateURL == "" {
		t.Fatalf("result %+v: want published and sent", res)
	}
	posts := map[string]activitytypes.SocialPost{}
	for _, p := range res.Posts {
		posts[p.Network] = p
	}
	if p := posts["mastodon"]; p.Status != activitytypes.SocialPosted || !strings.HasPrefix(p.URL, mastoSrv.URL+"/@halcytone/") {
		t.Errorf("mastodon %+v", p)
	}
	if p := posts["bluesky"]; p.Status != activitytypes.SocialPosted || !strings.HasPrefix(p.URL, "https://bsky.app/profile/halcytone.test/post/") {
		t.Errorf("bluesky %+v", p)
	}
	for _, n := range []string{"x", "linkedin"} {
		if posts[n].Status != activitytypes.SocialDraft {
			t.Errorf("%s %+v, want a draft", n, posts[n])
		}
	}
	sts, recs := masto.Statuses(), sky.Records()
	if len(sts) != 1 || len(recs) != 1 {
		t.Fatalf("%d Mastodon statuses and %d Bluesky posts, want one each", len(sts), len(recs))
	}
	if !strings.Contains(sts[0].Content, res.UpdateURL) {
		t.Errorf("mastodon status %q does not link to %s", sts[0].Content, res.UpdateURL)
	}
	bp, err := recs[0].Post()
	if err != nil || bp.Embed == nil || bp.Embed.External.URI != res.UpdateURL {
		t.Errorf("bluesky post %+v (%v): want an embed card for %s", bp, err, res.UpdateURL)
	}
	// The posts link to the live page.
	resp, err := http.Get(res.UpdateURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d, want the published page", res.UpdateURL, resp.StatusCode)
	}
	recordHistory(t, s, id, "approve-social")

	var out bytes.Buffer
	e := &cli.Env{Lookup: func(string) string { return "" }, Stdout: &out, Stderr: &out,
		Dial: func(ctx context.Context) (client.Client, error) {
			return client.Dial(client.Options{HostPort: s.address})
		}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cli.Run(ctx, e, []string{"social", "delete", "--edition", "2026-W50", "--network", "bluesky", "--by", "ana@example.com", "--reason", "wrong date"}); err != nil {
		t.Fatalf("social delete: %v\n%s", err, out.String())
	}
	if len(sky.Records()) != 0 || len(masto.Statuses()) != 1 {
		t.Fatalf("after delete: %d Bluesky posts, %d Mastodon statuses; want 0 and 1", len(sky.Records()), len(masto.Statuses()))
	}
	if !strings.Contains(out.String(), "deleted bluesky post") {
		t.Errorf("starter said %q", out.String())
	}
	out.Reset()
	if err := cli.Run(ctx, e, []string{"status", "--edition", "2026-W50"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "bluesky  deleted") || !strings.Contains(out.String(), "deleted by ana@example.com: wrong date") {
		t.Errorf("status does not show the deletion:\n%s", out.String())
	}
	// The run had closed: its audit trail, as status shows it, lists the
	// deletion from the deletion run's record.
	if !regexp.MustCompile(`delete_post ana@example.com +deleted the bluesky post \S+ \(https://bsky.app/\S+\): wrong date`).MatchString(out.String()) {
		t.Errorf("status audit trail lacks the deletion:\n%s", out.String())
	}
	var audit activitytypes.SocialPost
	if err := s.temporal.GetWorkflow(ctx, workflows.SocialDeleteWorkflowID("2026-W50", "bluesky"), "").Get(ctx, &audit); err != nil {
		t.Fatal(err)
	}
	if audit.Status != activitytypes.SocialDeleted || audit.Note != "deleted by ana@example.com: wrong date" || audit.ID != posts["bluesky"].ID {
		t.Errorf("deletion record %+v: want who, why and which post", audit)
	}
}
