package mastodon_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/fake"
	"github.com/halcytone/contentgen/social/mastodon"
)

var _ social.Poster = (*mastodon.Client)(nil)

const link = "https://halcytone.example/updates/2026-w48"

func setup(t *testing.T) (*fake.Mastodon, *mastodon.Client) {
	t.Helper()
	f := fake.NewMastodon("tok-1")
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	c, err := mastodon.New(mastodon.Options{Server: srv.URL, Token: "tok-1"})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func post() social.Post {
	return social.Post{Text: "Week 48: breathing & hardware news\n\n" + link + "?a=1&b=2", Link: link + "?a=1&b=2"}
}

func TestPostSendsIdempotencyKeyAndReturnsURL(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	res, err := c.Post(ctx, "newsletter-2026-W48:mastodon:abc", post())
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Post(ctx, "newsletter-2026-W48:mastodon:abc", post())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Statuses()); n != 1 {
		t.Fatalf("two posts with one Idempotency-Key made %d statuses, want 1", n)
	}
	if res.ID == "" || again.ID != res.ID || res.URL != f.URL+"/@halcytone/"+res.ID {
		t.Fatalf("results %+v and %+v, want the same status with its URL", res, again)
	}
	if got := f.Requests()[0].Header.Get("Idempotency-Key"); got != "newsletter-2026-W48:mastodon:abc" {
		t.Fatalf("Idempotency-Key %q", got)
	}
}

func TestPostUploadsImageWithAltText(t *testing.T) {
	f, c := setup(t)
	p := post()
	p.Image = &social.Image{Data: []byte("\x89PNG fake"), ContentType: "image/png", Alt: "A breathing sensor on a desk"}
	if _, err := c.Post(context.Background(), "k", p); err != nil {
		t.Fatal(err)
	}
	st := f.Statuses()[0]
	if len(st.MediaAttachments) != 1 || st.MediaAttachments[0].Description != "A breathing sensor on a desk" {
		t.Fatalf("attachments %+v, want the image with its alt text", st.MediaAttachments)
	}
	if f.CountRequests(http.MethodPost, "/api/v2/media") != 1 {
		t.Fatal("media did not go through /api/v2/media")
	}
}

func TestFindAfterLostReplyPostsOnce(t *testing.T) {
	f, c := setup(t)
	ctx := context.Background()
	j := &fake.Journal{}
	f.DropNextReply()
	// The first attempt's request is made but its reply is lost; the
	// second attempt finds the status by its link instead of posting.
	if _, _, err := social.Once(ctx, c, j, "key-1", post()); err == nil {
		t.Fatal("want an error when the reply is lost")
	} else if e, ok := social.AsError(err); !ok || !e.Retryable() {
		t.Fatalf("lost reply: %v, want a retryable *social.Error", err)
	}
	res, found, err := social.Once(ctx, c, j, "key-1", post())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Statuses()); n != 1 || !found || res.ID != f.Statuses()[0].ID {
		t.Fatalf("statuses %d, found %v, result %+v: want the first status found, not a second", n, found, res)
	}
}

func TestServerErrorsAreRetryableThenSucceed(t *testing.T) {
	f, c := setup(t)
	f.FailNext(2, http.StatusInternalServerError)
	for i := range 2 {
		_, err := c.Post(context.Background(), "k", post())
		e, ok := social.AsError(err)
		if !ok || !e.Retryable() || e.Status != 500 {
			t.Fatalf("attempt %d: %v, want a retryable 500", i+1, err)
		}
	}
	if _, err := c.Post(context.Background(), "k", post()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Statuses()); n != 1 {
		t.Fatalf("%d statuses, want 1", n)
	}
}

func TestExpiredTokenSaysWhatToDo(t *testing.T) {
	f, c := setup(t)
	f.ExpireToken()
	_, err := c.Post(context.Background(), "k", post())
	e, ok := social.AsError(err)
	if !ok || e.Kind != social.KindAuth || e.Retryable() {
		t.Fatalf("%v: want a non-retryable credentials error", err)
	}
	if !strings.Contains(err.Error(), "MASTODON_ACCESS_TOKEN") || !strings.Contains(err.Error(), "The access token is invalid") {
		t.Fatalf("error %q should quote the server and name MASTODON_ACCESS_TOKEN", err)
	}
}

func TestRateLimitCarriesReset(t *testing.T) {
	f, c := setup(t)
	f.RateLimitNext(1, 90*time.Second)
	_, err := c.Post(context.Background(), "k", post())
	e, ok := social.AsError(err)
	if !ok || e.Kind != social.KindRateLimited || e.RetryAfter < 80*time.Second || e.RetryAfter > 91*time.Second {
		t.Fatalf("%v (%+v): want rate limited for about 90s", err, e)
	}
}

func TestTooLongIsRejected(t *testing.T) {
	_, c := setup(t)
	p := post()
	p.Text = strings.Repeat("a", 501)
	_, err := c.Post(context.Background(), "k", p)
	if e, ok := social.AsError(err); !ok || e.Kind != social.KindRejected || !strings.Contains(err.Error(), "character limit") {
		t.Fatalf("%v: want a rejection quoting the limit", err)
	}
}

func TestDelete(t *testing.T) {
	f, c := setup(t)
	res, err := c.Post(context.Background(), "k", post())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), res.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.Statuses()) != 0 {
		t.Fatal("status still there after delete")
	}
	if _, found, err := c.Find(context.Background(), link); err != nil || found {
		t.Fatalf("find after delete: found %v, %v", found, err)
	}
}

func TestNewNamesMissingSettings(t *testing.T) {
	if _, err := mastodon.New(mastodon.Options{Server: "https://m.example"}); err == nil || !strings.Contains(err.Error(), "MASTODON_ACCESS_TOKEN") {
		t.Fatalf("got %v", err)
	}
}
