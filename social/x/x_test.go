package x_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/fake"
	"github.com/halcytone/contentgen/social/x"
)

var _ social.Poster = (*x.Client)(nil)

const (
	link  = "https://halcytone.example/updates/2026-w48"
	token = "/2/oauth2/token"
)

func setup(t *testing.T) (*fake.X, x.Options) {
	t.Helper()
	f := fake.NewX("client-1", "secret-1", "refresh-0")
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, x.Options{BaseURL: srv.URL, ClientID: "client-1", ClientSecret: "secret-1", RefreshToken: "refresh-0",
		TokenFile: filepath.Join(t.TempDir(), "x-refresh-token")}
}

func client(t *testing.T, o x.Options) *x.Client {
	t.Helper()
	c, err := x.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func post(n int) social.Post {
	return social.Post{Text: "Halcytone week " + string(rune('0'+n)) + " " + link, Link: link}
}

func TestPostRefreshesOnceAndKeepsRotatedToken(t *testing.T) {
	f, o := setup(t)
	c := client(t, o)
	ctx := context.Background()
	res, err := c.Post(ctx, "", post(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Post(ctx, "", post(2)); err != nil {
		t.Fatal(err)
	}
	tw := f.Tweets()
	if len(tw) != 2 || res.ID != tw[0].ID || res.URL != "https://x.com/i/web/status/"+res.ID {
		t.Fatalf("tweets %+v, result %+v", tw, res)
	}
	if n := f.CountRequests(http.MethodPost, token); n != 1 {
		t.Fatalf("%d token refreshes for two posts, want 1", n)
	}
	saved, err := os.ReadFile(o.TokenFile)
	if err != nil || strings.TrimSpace(string(saved)) == "refresh-0" {
		t.Fatalf("token file %q, %v: want the rotated refresh token", saved, err)
	}
	// A restarted worker has only the used X_REFRESH_TOKEN in its
	// environment; the file's newer token must win.
	if _, err := client(t, o).Post(ctx, "", post(3)); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestExpiredAccessTokenIsRefreshed(t *testing.T) {
	f, o := setup(t)
	c := client(t, o)
	if _, err := c.Post(context.Background(), "", post(1)); err != nil {
		t.Fatal(err)
	}
	f.ExpireAccessTokens()
	if _, err := c.Post(context.Background(), "", post(2)); err != nil {
		t.Fatal(err)
	}
	if n := f.CountRequests(http.MethodPost, token); n != 2 {
		t.Fatalf("%d refreshes, want 2", n)
	}
}

func TestRevokedRefreshTokenSaysWhatToDo(t *testing.T) {
	f, o := setup(t)
	f.RevokeRefreshTokens()
	_, err := client(t, o).Post(context.Background(), "", post(1))
	e, ok := social.AsError(err)
	if !ok || e.Kind != social.KindAuth || e.Retryable() {
		t.Fatalf("%v: want a non-retryable credentials error", err)
	}
	for _, want := range []string{"X_REFRESH_TOKEN", "Value passed for the token was invalid"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if n := f.CountRequests(http.MethodPost, "/2/tweets"); n != 0 {
		t.Fatalf("%d posts attempted without a token", n)
	}
}

func TestLostReplyPostsOnce(t *testing.T) {
	f, o := setup(t)
	c := client(t, o)
	ctx := context.Background()
	j := &fake.Journal{}
	f.DropNextReply()
	if _, _, err := social.Once(ctx, c, j, "k", post(1)); err == nil {
		t.Fatal("want an error when the reply is lost")
	}
	res, found, err := social.Once(ctx, c, j, "k", post(1))
	if err != nil {
		t.Fatal(err)
	}
	tw := f.Tweets()
	if len(tw) != 1 || !found || res.ID != tw[0].ID || !strings.Contains(res.URL, "/halcytone/status/") {
		t.Fatalf("%d tweets, found %v, result %+v", len(tw), found, res)
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	f, o := setup(t)
	c := client(t, o)
	f.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		if e, ok := social.AsError(ignore(c.Post(context.Background(), "", post(1)))); !ok || !e.Retryable() {
			t.Fatalf("%v: want retryable", e)
		}
	}
	if _, err := c.Post(context.Background(), "", post(1)); err != nil {
		t.Fatal(err)
	}
	if len(f.Tweets()) != 1 {
		t.Fatal("want one tweet")
	}
}

func TestRateLimitAndDuplicate(t *testing.T) {
	f, o := setup(t)
	c := client(t, o)
	f.RateLimitNext(1, time.Minute)
	err := ignore(c.Post(context.Background(), "", post(1)))
	if e, ok := social.AsError(err); !ok || e.Kind != social.KindRateLimited || e.RetryAfter < 50*time.Second {
		t.Fatalf("%v: want rate limited about a minute", err)
	}
	if _, err := c.Post(context.Background(), "", post(1)); err != nil {
		t.Fatal(err)
	}
	err = ignore(c.Post(context.Background(), "", post(1)))
	if e, ok := social.AsError(err); !ok || e.Kind != social.KindRejected || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("%v: want a rejected duplicate", err)
	}
}

func TestDelete(t *testing.T) {
	f, o := setup(t)
	c := client(t, o)
	res, err := c.Post(context.Background(), "", post(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), res.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.Tweets()) != 0 {
		t.Fatal("tweet still there")
	}
}

func ignore(_ social.Result, err error) error { return err }
