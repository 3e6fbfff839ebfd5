package linkedin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/fake"
	"github.com/halcytone/contentgen/social/linkedin"
)

var _ social.Poster = (*linkedin.Client)(nil)

const link = "https://halcytone.example/updates/2026_w48"

func setup(t *testing.T, author string) (*fake.LinkedIn, *linkedin.Client) {
	t.Helper()
	f := fake.NewLinkedIn("li-token", author)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := linkedin.New(linkedin.Options{BaseURL: srv.URL, Token: "li-token", Author: author})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func post() social.Post {
	return social.Post{Text: "Week 48 (breathing) #Breathscape\n\n" + link, Link: link, Title: "Halcytone weekly"}
}

func TestPostAsMemberAndOrganisation(t *testing.T) {
	for _, author := range []string{"urn:li:person:8675309", "urn:li:organization:2414183"} {
		f, c := setup(t, author)
		res, err := c.Post(context.Background(), "", post())
		if err != nil {
			t.Fatalf("%s: %v", author, err)
		}
		ps := f.Posts()
		if len(ps) != 1 || ps[0].ID != res.ID || res.URL != "https://www.linkedin.com/feed/update/"+res.ID+"/" {
			t.Fatalf("%s: posts %+v, result %+v", author, ps, res)
		}
		if ps[0].Content == nil || ps[0].Content.Article == nil || ps[0].Content.Article.Source != link {
			t.Fatalf("%s: no article card for %s", author, link)
		}
		req := f.Requests()[0]
		if req.Header.Get("Linkedin-Version") != linkedin.DefaultVersion || req.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
			t.Fatalf("headers %v", req.Header)
		}
	}
}

func TestCommentaryEscapesLittleText(t *testing.T) {
	got := linkedin.Commentary("Week (48) #Breathscape & more_stuff")
	want := `Week \(48\) {hashtag|\#|Breathscape} & more\_stuff`
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestLostReplyPostsOnce(t *testing.T) {
	f, c := setup(t, "urn:li:person:1")
	j := &fake.Journal{}
	f.DropNextReply()
	if _, _, err := social.Once(context.Background(), c, j, "k", post()); err == nil {
		t.Fatal("want an error when the reply is lost")
	}
	res, found, err := social.Once(context.Background(), c, j, "k", post())
	if err != nil {
		t.Fatal(err)
	}
	if ps := f.Posts(); len(ps) != 1 || !found || res.ID != ps[0].ID {
		t.Fatalf("%d posts, found %v, %+v", len(ps), found, res)
	}
}

func TestErrors(t *testing.T) {
	f, c := setup(t, "urn:li:organization:9")
	f.FailNext(2, http.StatusBadGateway)
	for range 2 {
		_, err := c.Post(context.Background(), "", post())
		if e, ok := social.AsError(err); !ok || !e.Retryable() {
			t.Fatalf("%v: want retryable", err)
		}
	}
	if _, err := c.Post(context.Background(), "", post()); err != nil {
		t.Fatal(err)
	}
	f.RateLimitNext(1, 30*time.Second)
	_, err := c.Post(context.Background(), "", post())
	if e, ok := social.AsError(err); !ok || e.Kind != social.KindRateLimited || e.RetryAfter != 30*time.Second {
		t.Fatalf("%v: want rate limited for 30s", err)
	}
	f.ExpireToken()
	_, err = c.Post(context.Background(), "", post())
	e, ok := social.AsError(err)
	if !ok || e.Kind != social.KindAuth || e.Retryable() || !strings.Contains(err.Error(), "LINKEDIN_ACCESS_TOKEN") || !strings.Contains(err.Error(), "EXPIRED_ACCESS_TOKEN") {
		t.Fatalf("%v: want a clear, non-retryable expired-token error", err)
	}
}

func TestWrongAuthorIsACredentialsError(t *testing.T) {
	f := fake.NewLinkedIn("li-token", "urn:li:organization:1")
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, _ := linkedin.New(linkedin.Options{BaseURL: srv.URL, Token: "li-token", Author: "urn:li:organization:2"})
	_, err := c.Post(context.Background(), "", post())
	if e, ok := social.AsError(err); !ok || e.Kind != social.KindAuth || !strings.Contains(err.Error(), "LINKEDIN_AUTHOR_URN") {
		t.Fatalf("%v", err)
	}
	if _, err := linkedin.New(linkedin.Options{Token: "t", Author: "halcytone"}); err == nil || !strings.Contains(err.Error(), "urn:li:person") {
		t.Fatalf("bad URN accepted: %v", err)
	}
}

func TestDelete(t *testing.T) {
	f, c := setup(t, "urn:li:person:1")
	res, err := c.Post(context.Background(), "", post())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), res.ID); err != nil {
		t.Fatal(err)
	}
	if len(f.Posts()) != 0 {
		t.Fatal("post still there")
	}
}
