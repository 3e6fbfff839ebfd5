package workflows

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/bluesky"
	"github.com/halcytone/contentgen/social/fake"
	"github.com/halcytone/contentgen/social/linkedin"
	"github.com/halcytone/contentgen/social/mastodon"
	"github.com/halcytone/contentgen/social/x"
)

// networks are the four fakes behind the real clients.
type networks struct {
	mastodon *fake.Mastodon
	bluesky  *fake.Bluesky
	x        *fake.X
	linkedin *fake.LinkedIn
	clients  map[string]social.Poster
}

func newNetworks(t *testing.T) *networks {
	t.Helper()
	n := &networks{
		mastodon: fake.NewMastodon("m-token"),
		bluesky:  fake.NewBluesky("halcytone.bsky.social", "app-pass"),
		x:        fake.NewX("x-client", "x-secret", "x-refresh"),
		linkedin: fake.NewLinkedIn("li-token", "urn:li:organization:42"),
	}
	serve := func(h http.Handler) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	n.mastodon.URL = serve(n.mastodon)
	m, err1 := mastodon.New(mastodon.Options{Server: n.mastodon.URL, Token: "m-token"})
	b, err2 := bluesky.New(bluesky.Options{Service: serve(n.bluesky), Handle: "halcytone.bsky.social", AppPassword: "app-pass"})
	xc, err3 := x.New(x.Options{BaseURL: serve(n.x), ClientID: "x-client", ClientSecret: "x-secret", RefreshToken: "x-refresh"})
	l, err4 := linkedin.New(linkedin.Options{BaseURL: serve(n.linkedin), Token: "li-token", Author: "urn:li:organization:42"})
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	n.clients = map[string]social.Poster{social.Mastodon: m, social.Bluesky: b, social.X: xc, social.LinkedIn: l}
	return n
}

// counts is how many posts each fake holds.
func (n *networks) counts() map[string]int {
	return map[string]int{social.Mastodon: len(n.mastodon.Statuses()), social.Bluesky: len(n.bluesky.Records()),
		social.X: len(n.x.Tweets()), social.LinkedIn: len(n.linkedin.Posts())}
}

// createRequests is how many post-creating requests each fake received.
func (n *networks) createRequests() map[string]int {
	return map[string]int{
		social.Mastodon: n.mastodon.CountRequests(http.MethodPost, "/api/v1/statuses"),
		social.Bluesky:  n.bluesky.CountRequests(http.MethodPost, "/xrpc/com.atproto.repo.createRecord"),
		social.X:        n.x.CountRequests(http.MethodPost, "/2/tweets"),
		social.LinkedIn: n.linkedin.CountRequests(http.MethodPost, "/rest/posts"),
	}
}

// newSocialHarness is newHarness with the given network clients.
func newSocialHarness(t *testing.T, clients map[string]social.Poster, docs ...content.Document) *harness {
	t.Helper()
	h := &harness{}
	h.env = h.NewTestWorkflowEnvironment()
	h.env.SetStartTime(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	if len(docs) == 0 {
		docs = []content.Document{testDoc("Exhale longer than you inhale.")}
	}
	h.fetcher = &fakes.Fetcher{Docs: map[string][]content.Document{testSource: docs}}
	h.crm = fakes.NewCRM(crm.Recipient{ID: "1", Email: "reader@example.com"}, crm.Recipient{ID: "2", Email: "other@example.com"})
	h.platform = &fakes.Platform{}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.ParseKeys(testSigningKey)
	if err != nil {
		t.Fatal(err)
	}
	h.env.RegisterWorkflowWithOptions(NewsletterWorkflow, workflow.RegisterOptions{Name: WorkflowName})
	store, err := blobstore.Open(context.Background(), "file://"+filepath.ToSlash(t.TempDir()), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h.env.RegisterActivity(&activities.Activities{Sources: h.fetcher, Taxonomy: content.DefaultTaxonomy(), Renderer: r, CRM: h.crm, Artifacts: store,
		Platform: h.platform, WebBaseURL: "https://example.com", Send: activities.SendOptions{PageSize: 10, Window: 1},
		Approvals: activities.ApprovalOptions{Keys: keys, Now: func() time.Time { return h.env.Now() }},
		Social:    clients, Images: social.ImageFetcher{}})
	h.signedAt(time.Minute, SignalApprove, ApproveSignal{By: "ana@example.com"})
	return h
}

func postsByNetwork(res Result) map[string]activitytypes.SocialPost {
	out := map[string]activitytypes.SocialPost{}
	for _, p := range res.Posts {
		out[p.Network] = p
	}
	return out
}

// The worker dies after a network received the post but before the reply
// came back: the retry finds the post by its link, and each network holds
// exactly one post, whose URL and ID are in the result.
func TestSocialLostReplyPostsExactlyOnce(t *testing.T) {
	n := newNetworks(t)
	n.mastodon.DropNextReply()
	n.bluesky.DropNextReply()
	n.x.DropNextReply()
	n.linkedin.DropNextReply()
	h := newSocialHarness(t, n.clients)
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || res.Send.Accepted != 2 {
		t.Fatalf("outcome %q, send %+v", res.Outcome, res.Send)
	}
	posts := postsByNetwork(res)
	for net, count := range n.counts() {
		p := posts[net]
		if count != 1 || p.Status != activitytypes.SocialPosted || p.URL == "" || p.ID == "" {
			t.Errorf("%s: %d posts, result %+v: want exactly one, posted with URL and ID", net, count, p)
		}
	}
	if reqs := n.createRequests(); reqs[social.Bluesky] != 1 || reqs[social.X] != 1 || reqs[social.LinkedIn] != 1 {
		t.Errorf("create requests %v: networks without idempotency keys must find the post, not send it again", reqs)
	}
	if !strings.HasPrefix(posts[social.Bluesky].URL, "https://bsky.app/profile/halcytone.bsky.social/post/") {
		t.Errorf("bluesky URL %q", posts[social.Bluesky].URL)
	}
	if st := h.status(t); len(st.Posts) != 4 || st.Posts[0].URL == "" {
		t.Errorf("status posts %+v, want all four with URLs", st.Posts)
	}
}

func TestSocialServerErrorsTwiceThenPosts(t *testing.T) {
	n := newNetworks(t)
	n.mastodon.FailNext(2, http.StatusInternalServerError)
	n.bluesky.FailNext(2, http.StatusInternalServerError)
	n.x.FailNext(2, http.StatusInternalServerError)
	n.linkedin.FailNext(2, http.StatusInternalServerError)
	res := newSocialHarness(t, n.clients).run(t, input())
	posts := postsByNetwork(res)
	for net, count := range n.counts() {
		if count != 1 || posts[net].Status != activitytypes.SocialPosted {
			t.Errorf("%s: %d posts, %+v", net, count, posts[net])
		}
	}
	for net, reqs := range n.createRequests() {
		if reqs != 3 {
			t.Errorf("%s: %d create requests, want 3 (two failures, one success)", net, reqs)
		}
	}
}

// An expired token fails that network at once with what to do; the other
// networks and the email are not held up.
func TestSocialExpiredTokenStopsThatNetworkOnly(t *testing.T) {
	n := newNetworks(t)
	n.mastodon.ExpireToken()
	n.x.RevokeRefreshTokens()
	n.linkedin.ExpireToken()
	h := newSocialHarness(t, n.clients)
	res := h.run(t, input())
	if res.Outcome != OutcomeSent || res.Send.Accepted != 2 {
		t.Fatalf("outcome %q, send %+v: the email must go out", res.Outcome, res.Send)
	}
	posts := postsByNetwork(res)
	for net, want := range map[string]string{social.Mastodon: "MASTODON_ACCESS_TOKEN", social.X: "X_REFRESH_TOKEN", social.LinkedIn: "LINKEDIN_ACCESS_TOKEN"} {
		if p := posts[net]; p.Status != activitytypes.SocialFailed || !strings.Contains(p.Error, want) {
			t.Errorf("%s: %+v, want failed naming %s", net, p, want)
		}
	}
	if p := posts[social.Bluesky]; p.Status != activitytypes.SocialPosted || len(n.bluesky.Records()) != 1 {
		t.Errorf("bluesky: %+v, want posted", p)
	}
	reqs := n.createRequests()
	if reqs[social.Mastodon] != 1 || reqs[social.X] != 0 || n.x.CountRequests(http.MethodPost, "/2/oauth2/token") != 1 {
		t.Errorf("create requests %v, X token requests %d: an expired token must not be retried",
			reqs, n.x.CountRequests(http.MethodPost, "/2/oauth2/token"))
	}
	if st := h.status(t); len(st.Warnings) != 3 {
		t.Errorf("warnings %q, want one per failed network", st.Warnings)
	}
}

func TestSocialPerNetworkControlAndSchedule(t *testing.T) {
	n := newNetworks(t)
	delete(n.clients, social.LinkedIn) // no credentials: stays a draft
	h := newSocialHarness(t, n.clients)
	postAt := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) // the day after the run starts
	in := input()
	in.Social = SocialInput{Networks: []string{social.Mastodon, social.Bluesky, social.LinkedIn}, Disabled: []string{social.Bluesky},
		PostAt: []ScheduledPost{{Network: social.Mastodon, At: postAt}}}
	var waiting Status
	h.env.RegisterDelayedCallback(func() { waiting = h.status(t) }, 12*time.Hour)
	res := h.run(t, in)
	posts := postsByNetwork(res)
	want := map[string]string{social.Mastodon: activitytypes.SocialPosted, social.Bluesky: activitytypes.SocialDisabled,
		social.X: activitytypes.SocialDisabled, social.LinkedIn: activitytypes.SocialDraft}
	for net, st := range want {
		if posts[net].Status != st {
			t.Errorf("%s: %+v, want %s", net, posts[net], st)
		}
	}
	if !strings.Contains(posts[social.LinkedIn].Note, "LINKEDIN_ACCESS_TOKEN") {
		t.Errorf("linkedin draft note %q should say what to set", posts[social.LinkedIn].Note)
	}
	if got := n.counts(); got[social.Mastodon] != 1 || got[social.Bluesky]+got[social.X] != 0 {
		t.Errorf("posts %v", got)
	}
	if w := postsByNetwork(Result{Posts: waiting.Posts})[social.Mastodon]; waiting.Stage != StagePosting || w.Status != activitytypes.SocialPending || !w.At.Equal(postAt) {
		t.Errorf("status while waiting: stage %q, posts %+v: want mastodon scheduled at %s", waiting.Stage, waiting.Posts, postAt)
	}
}

func TestSocialUnknownNetworkIsRefused(t *testing.T) {
	h := newSocialHarness(t, nil)
	in := input()
	in.Social.Disabled = []string{"myspace"}
	h.env.ExecuteWorkflow(WorkflowName, in)
	err := h.env.GetWorkflowError()
	if err == nil || !strings.Contains(err.Error(), `unknown social network "myspace"`) {
		t.Fatalf("got %v", err)
	}
}

func TestSocialDeleteWorkflowDeletesThePost(t *testing.T) {
	n := newNetworks(t)
	res, err := n.clients[social.Bluesky].Post(t.Context(), "", social.Post{Text: "https://example.com/updates/x", Link: "https://example.com/updates/x"})
	if err != nil {
		t.Fatal(err)
	}
	h := newSocialHarness(t, n.clients)
	h.env.RegisterWorkflowWithOptions(SocialDeleteWorkflow, workflow.RegisterOptions{Name: SocialDeleteWorkflowName})
	var told SocialDeleted
	h.env.OnSignalExternalWorkflow(mock.Anything, "newsletter-2026-W48", "", SignalSocialDeleted, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error { told = arg.(SocialDeleted); return nil })
	h.env.ExecuteWorkflow(SocialDeleteWorkflowName, activitytypes.SocialDeleteInput{Edition: "2026-W48", WorkflowID: "newsletter-2026-W48",
		Network: social.Bluesky, ID: res.ID, URL: res.URL, By: "ana@example.com", Reason: "wrong date"})
	var out SocialDeleteResult
	if err := h.env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if len(n.bluesky.Records()) != 0 || out.Status != activitytypes.SocialDeleted || out.Note != "deleted by ana@example.com: wrong date" || out.By != "ana@example.com" {
		t.Fatalf("records %d, result %+v", len(n.bluesky.Records()), out)
	}
	if told.ID != res.ID || told.By != "ana@example.com" || told.Reason != "wrong date" || told.At.IsZero() {
		t.Errorf("the edition's run was told %+v", told)
	}
}

// A post deleted by hand while the edition's run is still open (another
// network's post waits for its time) is marked deleted and recorded in
// the run's audit trail, with who, when and why.
func TestSocialDeletionIsInTheEditionsAuditTrail(t *testing.T) {
	n := newNetworks(t)
	h := newSocialHarness(t, n.clients)
	in := input()
	in.Social.PostAt = []ScheduledPost{{Network: social.X, At: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}}
	h.env.RegisterDelayedCallback(func() {
		var masto activitytypes.SocialPost
		for _, p := range h.status(t).Posts {
			if p.Network == social.Mastodon {
				masto = p
			}
		}
		h.env.SignalWorkflow(SignalSocialDeleted, SocialDeleted{Network: social.Mastodon, ID: masto.ID, URL: masto.URL,
			By: "ana@example.com", Reason: "wrong date", At: h.env.Now()})
	}, 6*time.Hour)
	res := h.run(t, in)
	p := postsByNetwork(res)[social.Mastodon]
	if p.Status != activitytypes.SocialDeleted || p.Note != "deleted by ana@example.com: wrong date" {
		t.Errorf("mastodon %+v, want marked deleted", p)
	}
	last := res.Decisions[len(res.Decisions)-1]
	if last.Action != ActionDeletePost || last.By != "ana@example.com" || last.Comment != "wrong date" || !strings.Contains(last.Note, "deleted the mastodon post "+p.ID) {
		t.Errorf("audit trail ends %+v, want the deletion", last)
	}
	if postsByNetwork(res)[social.X].Status != activitytypes.SocialPosted {
		t.Errorf("x %+v, want posted at its time", postsByNetwork(res)[social.X])
	}
}

func TestSocialDeleteWithoutCredentialsSaysWhatToSet(t *testing.T) {
	h := newSocialHarness(t, nil)
	h.env.RegisterWorkflowWithOptions(SocialDeleteWorkflow, workflow.RegisterOptions{Name: SocialDeleteWorkflowName})
	h.env.ExecuteWorkflow(SocialDeleteWorkflowName, activitytypes.SocialDeleteInput{Edition: "2026-W48", Network: social.X, ID: "1", By: "ana@example.com"})
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "X_REFRESH_TOKEN") {
		t.Fatalf("got %v", err)
	}
}

// The document's first image goes out with its alt text: as a Mastodon,
// X and LinkedIn image (uploaded as each API wants) and as the thumbnail
// of Bluesky's link card.
func TestSocialPostsCarryTheLeadImage(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n fake image bytes")
	img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(png)
	}))
	t.Cleanup(img.Close)
	doc := testDoc("Exhale longer than you inhale.")
	doc.Blocks = append([]content.Block{{Kind: content.KindImage, URL: img.URL + "/sensor.png", Alt: "The sensor on a bedside table"}}, doc.Blocks...)
	n := newNetworks(t)
	res := newSocialHarness(t, n.clients, doc).run(t, input())
	if p := postsByNetwork(res)[social.Mastodon]; p.Status != activitytypes.SocialPosted || p.Note != "" {
		t.Fatalf("mastodon %+v", p)
	}
	st := n.mastodon.Statuses()
	if len(st) != 1 || len(st[0].MediaAttachments) != 1 || st[0].MediaAttachments[0].Description != "The sensor on a bedside table" {
		t.Errorf("mastodon status %+v, want the image with its alt text", st)
	}
	rec, err := n.bluesky.Records()[0].Post()
	if err != nil || rec.Embed == nil || rec.Embed.External == nil || len(rec.Embed.External.Thumb) == 0 {
		t.Errorf("bluesky post %+v (%v), want a link card with a thumbnail", rec, err)
	}
	tweets := n.x.Tweets()
	if len(tweets) != 1 || tweets[0].Attachments == nil || len(tweets[0].Attachments.MediaKeys) != 1 {
		t.Fatalf("x tweets %+v, want one with the image attached", tweets)
	}
	if m, ok := n.x.Media(tweets[0].Attachments.MediaKeys[0]); !ok || m.Alt != "The sensor on a bedside table" || string(m.Data) != string(png) || m.Category != "tweet_image" {
		t.Errorf("x media %+v, want the image with its alt text", m)
	}
	li := n.linkedin.Posts()
	if len(li) != 1 || li[0].Content == nil || li[0].Content.Media == nil || li[0].Content.Media.AltText != "The sensor on a bedside table" {
		t.Fatalf("linkedin posts %+v, want one with the image", li)
	}
	if b, ok := n.linkedin.Image(li[0].Content.Media.ID); !ok || string(b) != string(png) {
		t.Errorf("linkedin image %s: %q uploaded", li[0].Content.Media.ID, b)
	}
	for net, p := range postsByNetwork(res) {
		if p.Status != activitytypes.SocialPosted || p.Note != "" {
			t.Errorf("%s %+v, want posted with its image and no note", net, p)
		}
	}
}

func TestSocialWithoutWebUpdateStaysDraft(t *testing.T) {
	n := newNetworks(t)
	in := input()
	in.Channels = []string{ChannelEmail, ChannelSocial}
	res := newSocialHarness(t, n.clients).run(t, in)
	if len(res.Posts) != 4 || res.Posts[0].Status != activitytypes.SocialDraft || !strings.Contains(res.Posts[0].Note, "web channel") {
		t.Fatalf("posts %+v, want drafts saying why", res.Posts)
	}
	if got := n.counts(); got[social.Mastodon]+got[social.Bluesky]+got[social.X]+got[social.LinkedIn] != 0 {
		t.Fatalf("posted %v without a page to link to", got)
	}
}
