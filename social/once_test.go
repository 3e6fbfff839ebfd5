package social_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/fake"
)

// poster records calls and finds what it was told to.
type poster struct {
	posts, finds int
	found        bool
	findErr      error
}

func (p *poster) Post(context.Context, string, social.Post) (social.Result, error) {
	p.posts++
	return social.Result{ID: "new"}, nil
}

func (p *poster) Find(context.Context, string) (social.Result, bool, error) {
	p.finds++
	return social.Result{ID: "old"}, p.found, p.findErr
}

func TestOnceLooksOnlyAfterAnEarlierIntent(t *testing.T) {
	ctx := context.Background()
	j := &fake.Journal{}
	p := &poster{found: true}
	post := social.Post{Text: "t", Link: "https://h.example/u/1"}
	if res, found, err := social.Once(ctx, p, j, "k", post); err != nil || found || res.ID != "new" || p.finds != 0 {
		t.Fatalf("first attempt: %+v %v %v, %d finds: want a post without a lookup", res, found, err, p.finds)
	}
	if res, found, err := social.Once(ctx, p, j, "k", post); err != nil || !found || res.ID != "old" || p.posts != 1 {
		t.Fatalf("second attempt: %+v %v %v, %d posts: want the earlier post found", res, found, err, p.posts)
	}
	p.found, p.findErr = false, errors.New("list failed")
	if _, _, err := social.Once(ctx, p, j, "k", post); err == nil || p.posts != 1 {
		t.Fatalf("a failed lookup must not post: %v, %d posts", err, p.posts)
	}
	if _, _, err := social.Once(ctx, p, j, "other", social.Post{Text: "t"}); err == nil || !strings.Contains(err.Error(), "no link") {
		t.Fatalf("post without link: %v", err)
	}
}

func TestErrorSaysWhatFailedAndWhatToDo(t *testing.T) {
	e := &social.Error{Network: "mastodon", Op: "create status", Kind: social.StatusKind(http.StatusUnauthorized), Status: 401,
		Message: "The access token is invalid", Fix: "set MASTODON_ACCESS_TOKEN"}
	if got := e.Error(); got != "mastodon create status: HTTP 401: The access token is invalid; set MASTODON_ACCESS_TOKEN" || e.Retryable() {
		t.Fatalf("%q retryable=%v", got, e.Retryable())
	}
	rl := &social.Error{Network: "x", Op: "create post", Kind: social.StatusKind(429), Status: 429, RetryAfter: 90 * time.Second}
	if !rl.Retryable() || !strings.Contains(rl.Error(), "next request allowed in 1m30s") {
		t.Fatalf("%q", rl.Error())
	}
	if social.StatusKind(503) != social.KindUnavailable || social.StatusKind(422) != social.KindRejected {
		t.Fatal("status kinds")
	}
}
