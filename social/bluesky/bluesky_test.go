package bluesky_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/bluesky"
	"github.com/halcytone/contentgen/social/fake"
)

var _ social.Poster = (*bluesky.Client)(nil)

const (
	link         = "https://halcytone.example/updates/2026-w48"
	createRecord = "/xrpc/com.atproto.repo.createRecord"
)

func setup(t *testing.T) (*fake.Bluesky, *bluesky.Client) {
	t.Helper()
	f := fake.NewBluesky("halcytone.bsky.social", "app-pass-1234")
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := bluesky.New(bluesky.Options{Service: srv.URL, Handle: "halcytone.bsky.social", AppPassword: "app-pass-1234"})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func post(text string) social.Post {
	return social.Post{Text: text, Link: link, Title: "Halcytone weekly 2026-W48", Description: "Breathing, hardware, tips"}
}

func TestFacetsUseUTF8ByteOffsets(t *testing.T) {
	for _, text := range []string{
		"Plain text " + link,
		"🫁 Breathe easy — café séance 🎧 " + link + " #Breathscape",
		"Größe und Ökologie: " + link + ". Mehr bald!",
		"日本語のテキスト👩‍👩‍👧 " + link + "\n\n#Hardware #Tips",
	} {
		fs := bluesky.Facets(text)
		var links, tags int
		for _, f := range fs {
			got := text[f.Index.ByteStart:f.Index.ByteEnd]
			switch ft := f.Features[0]; ft.Type {
			case "app.bsky.richtext.facet#link":
				links++
				if got != link || ft.URI != link {
					t.Errorf("%q: link facet covers %q (uri %q), want %q", text, got, ft.URI, link)
				}
			case "app.bsky.richtext.facet#tag":
				tags++
				if got != "#"+ft.Tag {
					t.Errorf("%q: tag facet covers %q, want #%s", text, got, ft.Tag)
				}
			}
		}
		if links != 1 || tags != strings.Count(text, " #")+strings.Count(text, "\n#") {
			t.Errorf("%q: %d links and %d tags in %+v", text, links, tags, fs)
		}
	}
	// The offsets must be bytes: the emoji alone is four.
	fs := bluesky.Facets("🫁 " + link)
	if fs[0].Index.ByteStart != 5 || fs[0].Index.ByteEnd != 5+len(link) {
		t.Fatalf("offsets %+v, want [5, %d)", fs[0].Index, 5+len(link))
	}
}

func TestPostRecordHasFacetsAndEmbedCard(t *testing.T) {
	f, c := setup(t)
	text := "🫁 Ünïcödé first — " + link
	res, err := c.Post(context.Background(), "", post(text))
	if err != nil {
		t.Fatal(err)
	}
	recs := f.Records()
	if len(recs) != 1 || res.ID != recs[0].URI {
		t.Fatalf("records %+v, result %+v", recs, res)
	}
	rkey := res.ID[strings.LastIndex(res.ID, "/")+1:]
	if res.URL != "https://bsky.app/profile/halcytone.bsky.social/post/"+rkey {
		t.Fatalf("URL %q", res.URL)
	}
	p, err := recs[0].Post()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Facets) != 1 || p.Text[p.Facets[0].Index.ByteStart:p.Facets[0].Index.ByteEnd] != link {
		t.Fatalf("facets %+v do not cover the link in %q", p.Facets, p.Text)
	}
	if p.Embed == nil || p.Embed.Type != "app.bsky.embed.external" || p.Embed.External.URI != link || p.Embed.External.Title != "Halcytone weekly 2026-W48" {
		t.Fatalf("embed %+v, want an external card for the update", p.Embed)
	}
	if _, err := time.Parse(time.RFC3339, p.CreatedAt); err != nil {
		t.Fatalf("createdAt %q: %v", p.CreatedAt, err)
	}
}

func TestSessionIsReusedAndRefreshed(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	for range 3 {
		if _, err := c.Post(ctx, "", post(link)); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.CountRequests(http.MethodPost, "/xrpc/com.atproto.server.createSession"); n != 1 {
		t.Fatalf("%d createSession calls for three posts, want 1", n)
	}
	f.ExpireAccessTokens()
	if _, err := c.Post(ctx, "", post(link)); err != nil {
		t.Fatal(err)
	}
	if n := f.CountRequests(http.MethodPost, "/xrpc/com.atproto.server.refreshSession"); n != 1 {
		t.Fatalf("%d refreshSession calls, want 1", n)
	}
	f.ExpireAccessTokens()
	f.ExpireRefreshTokens()
	if _, err := c.Post(ctx, "", post(link)); err != nil {
		t.Fatal(err)
	}
	if n := f.CountRequests(http.MethodPost, "/xrpc/com.atproto.server.createSession"); n != 2 {
		t.Fatalf("%d createSession calls, want a second one once the refresh token expired", n)
	}
	if n := len(f.Records()); n != 5 {
		t.Fatalf("%d records, want 5", n)
	}
}

func TestExpiredSessionAndRevokedPasswordSaysWhatToDo(t *testing.T) {
	f, c := setup(t)
	if _, err := c.Post(context.Background(), "", post(link)); err != nil {
		t.Fatal(err)
	}
	f.ExpireAccessTokens()
	f.ExpireRefreshTokens()
	f.RevokePassword()
	_, err := c.Post(context.Background(), "", post(link))
	e, ok := social.AsError(err)
	if !ok || e.Kind != social.KindAuth || e.Retryable() {
		t.Fatalf("%v: want a non-retryable credentials error", err)
	}
	if !strings.Contains(err.Error(), "BLUESKY_APP_PASSWORD") {
		t.Fatalf("%q does not say to set BLUESKY_APP_PASSWORD", err)
	}
	if n := f.CountRequests(http.MethodPost, createRecord); n != 2 {
		t.Fatalf("%d createRecord calls, want 2 (no retry after the login failed)", n)
	}
}

func TestLostReplyPostsOnce(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	j := &fake.Journal{}
	if _, err := c.Post(ctx, "", post("An older post about something else https://halcytone.example/updates/2026-w47")); err != nil {
		t.Fatal(err)
	}
	f.DropNextReply()
	if _, _, err := social.Once(ctx, c, j, "newsletter-2026-W48:bluesky", post("🫁 "+link)); err == nil {
		t.Fatal("want an error when the reply is lost")
	}
	res, found, err := social.Once(ctx, c, j, "newsletter-2026-W48:bluesky", post("🫁 "+link))
	if err != nil {
		t.Fatal(err)
	}
	recs := f.Records()
	if len(recs) != 2 || !found || res.ID != recs[1].URI {
		t.Fatalf("%d records, found %v, result %+v: want the lost post found, not a second", len(recs), found, res)
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	f, c := setup(t)
	f.FailNext(2, http.StatusInternalServerError)
	for range 2 {
		_, err := c.Post(context.Background(), "", post(link))
		if e, ok := social.AsError(err); !ok || !e.Retryable() || e.Status != 500 {
			t.Fatalf("%v: want retryable 500", err)
		}
	}
	if _, err := c.Post(context.Background(), "", post(link)); err != nil {
		t.Fatal(err)
	}
	if len(f.Records()) != 1 {
		t.Fatal("want one record")
	}
}

func TestRateLimitReadsResetHeader(t *testing.T) {
	f, c := setup(t)
	f.RateLimitNext(1, 2*time.Minute)
	_, err := c.Post(context.Background(), "", post(link))
	e, ok := social.AsError(err)
	if !ok || e.Kind != social.KindRateLimited || e.RetryAfter < 100*time.Second || e.RetryAfter > 121*time.Second {
		t.Fatalf("%v: want rate limited about two minutes", err)
	}
}

func TestDelete(t *testing.T) {
	f, c := setup(t)
	res, err := c.Post(context.Background(), "", post(link))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), res.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.Records()) != 0 {
		t.Fatal("record still there")
	}
}
