package chaos

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/social/fake"
)

// The worker is killed with SIGKILL while each network holds a post it
// has made but not yet answered; a new worker's attempt (once the
// heartbeat timeout notices) finds each post by its link instead of
// posting again. X's refresh token, rotated by the killed worker, carries
// over through X_TOKEN_FILE.
func TestWorkerKilledMidPost(t *testing.T) {
	r := newRig(t, rigOptions{recipients: 50})
	masto := fake.NewMastodon("chaos-mastodon")
	sky := fake.NewBluesky("halcytone.chaos", "chaos-app-password")
	xf := fake.NewX("chaos-x", "chaos-x-secret", "chaos-refresh")
	li := fake.NewLinkedIn("chaos-linkedin", "urn:li:organization:7")
	serve := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	masto.URL = serve(masto)
	env := []string{
		"MASTODON_SERVER=" + masto.URL, "MASTODON_ACCESS_TOKEN=chaos-mastodon",
		"BLUESKY_SERVICE=" + serve(sky), "BLUESKY_HANDLE=halcytone.chaos", "BLUESKY_APP_PASSWORD=chaos-app-password",
		"X_API_URL=" + serve(xf), "X_CLIENT_ID=chaos-x", "X_CLIENT_SECRET=chaos-x-secret", "X_REFRESH_TOKEN=chaos-refresh",
		"X_TOKEN_FILE=" + filepath.Join(r.dir, "x-token"),
		"LINKEDIN_API_URL=" + serve(li), "LINKEDIN_ACCESS_TOKEN=chaos-linkedin", "LINKEDIN_AUTHOR_URN=urn:li:organization:7",
	}
	masto.HoldNextReply()
	sky.HoldNextReply()
	xf.HoldNextReply()
	li.HoldNextReply()
	counts := func() [4]int {
		return [4]int{len(masto.Statuses()), len(sky.Records()), len(xf.Tweets()), len(li.Posts())}
	}

	w := r.startWorker(env...)
	id := r.approveEdition()
	deadline := time.Now().Add(3 * time.Minute)
	for counts() != [4]int{1, 1, 1, 1} {
		if time.Now().After(deadline) {
			t.Fatal(r.withLog(fmt.Errorf("posts %v: every network should hold one post awaiting its reply", counts())))
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.Kill()
	r.startWorker(env...)
	res := r.result(id, 4*time.Minute)

	if got := counts(); got != [4]int{1, 1, 1, 1} {
		t.Errorf("posts per network (mastodon, bluesky, x, linkedin) %v after the kill, want exactly one each", got)
	}
	ids := map[string]string{"mastodon": masto.Statuses()[0].ID, "bluesky": sky.Records()[0].URI,
		"x": xf.Tweets()[0].ID, "linkedin": li.Posts()[0].ID}
	for _, p := range res.Posts {
		if p.Status != activitytypes.SocialPosted || p.ID != ids[p.Network] || p.URL == "" {
			t.Errorf("%s: %+v, want posted as %s with its URL", p.Network, p, ids[p.Network])
		}
	}
	if len(res.Posts) != 4 {
		t.Errorf("result lists %d networks, want 4", len(res.Posts))
	}
	record(r.verify(id, res))
}
