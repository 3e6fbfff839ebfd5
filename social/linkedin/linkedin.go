// Package linkedin posts to LinkedIn through the versioned Posts API
// (POST /rest/posts) as a member (urn:li:person:…) or an organisation
// (urn:li:organization:…), with an article card for the web update, or
// the edition's image uploaded through the Images API.
package linkedin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/halcytone/contentgen/social"
)

const (
	network = social.LinkedIn
	// DefaultBaseURL is LinkedIn's API.
	DefaultBaseURL = "https://api.linkedin.com"
	// DefaultVersion is the Linkedin-Version (YYYYMM) the client speaks;
	// LinkedIn supports each version for a year.
	DefaultVersion = "202511"
)

// Options configure a Client.
type Options struct {
	BaseURL string
	// Token is an access token with w_member_social (member) or
	// w_organization_social (organisation) and, to find posts again,
	// r_member_social or r_organization_social.
	Token string
	// Author is urn:li:person:<id> or urn:li:organization:<id>.
	Author     string
	Version    string
	HTTPClient *http.Client
}

// Client posts as one author.
type Client struct {
	o  Options
	hc *http.Client
}

// New returns a Client, or an error naming the missing setting.
func New(o Options) (*Client, error) {
	if o.Token == "" || o.Author == "" {
		return nil, fmt.Errorf("linkedin needs LINKEDIN_ACCESS_TOKEN and LINKEDIN_AUTHOR_URN")
	}
	if !strings.HasPrefix(o.Author, "urn:li:person:") && !strings.HasPrefix(o.Author, "urn:li:organization:") {
		return nil, fmt.Errorf("LINKEDIN_AUTHOR_URN %q: want urn:li:person:<id> (a member) or urn:li:organization:<id> (a page)", o.Author)
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Version == "" {
		o.Version = DefaultVersion
	}
	return &Client{o: o, hc: social.HTTPClient(o.HTTPClient)}, nil
}

// Post creates a post. LinkedIn has no idempotency keys; social.Once
// finds a post made by a lost attempt.
func (c *Client) Post(ctx context.Context, _ string, p social.Post) (social.Result, error) {
	body := map[string]any{
		"author":     c.o.Author,
		"commentary": Commentary(p.Text),
		"visibility": "PUBLIC",
		"distribution": map[string]any{"feedDistribution": "MAIN_FEED", "targetEntities": []any{},
			"thirdPartyDistributionChannels": []any{}},
		"lifecycleState":            "PUBLISHED",
		"isReshareDisabledByAuthor": false,
	}
	switch {
	case p.Image != nil:
		// A post carries an image or an article card, not both; the
		// text keeps the link.
		urn, err := c.upload(ctx, *p.Image)
		if err != nil {
			return social.Result{}, err
		}
		body["content"] = map[string]any{"media": map[string]string{"id": urn, "altText": p.Image.Alt}}
	case p.Link != "":
		body["content"] = map[string]any{"article": map[string]string{"source": p.Link, "title": p.Title, "description": p.Description}}
	}
	rep, err := c.do(ctx, "create post", http.MethodPost, "/rest/posts", "", body)
	if err != nil {
		return social.Result{}, err
	}
	id := rep.Header.Get("X-Restli-Id")
	if id == "" {
		return social.Result{}, &social.Error{Network: network, Op: "create post", Kind: social.KindUnavailable, Status: rep.Status, Message: "reply has no x-restli-id header"}
	}
	return result(id, time.Now()), nil
}

// Find looks through the author's latest 50 posts for one whose article
// card or text links to marker.
func (c *Client) Find(ctx context.Context, marker string) (social.Result, bool, error) {
	q := "q=author&author=" + url.QueryEscape(c.o.Author) + "&count=50&sortBy=LAST_MODIFIED"
	rep, err := c.do(ctx, "list posts", http.MethodGet, "/rest/posts?"+q, "FINDER", nil)
	if err != nil {
		return social.Result{}, false, err
	}
	var out struct {
		Elements []struct {
			ID         string `json:"id"`
			Commentary string `json:"commentary"`
			CreatedAt  int64  `json:"createdAt"`
			Content    struct {
				Article struct {
					Source string `json:"source"`
				} `json:"article"`
			} `json:"content"`
		} `json:"elements"`
	}
	if err := rep.Decode(network, "list posts", &out); err != nil {
		return social.Result{}, false, err
	}
	escaped := Commentary(marker)
	for _, p := range out.Elements {
		if p.Content.Article.Source == marker || strings.Contains(p.Commentary, escaped) {
			return result(p.ID, time.UnixMilli(p.CreatedAt)), true, nil
		}
	}
	return social.Result{}, false, nil
}

// Delete deletes the post with the URN id.
func (c *Client) Delete(ctx context.Context, id string) error {
	_, err := c.do(ctx, "delete post", http.MethodDelete, "/rest/posts/"+url.PathEscape(id), "DELETE", nil)
	return err
}

func result(urn string, at time.Time) social.Result {
	return social.Result{Network: network, ID: urn, URL: "https://www.linkedin.com/feed/update/" + urn + "/", At: at.UTC()}
}

func (c *Client) do(ctx context.Context, op, method, path, restliMethod string, body any) (social.Reply, error) {
	req, err := social.NewJSONRequest(ctx, method, c.o.BaseURL+path, body)
	if err != nil {
		return social.Reply{}, fmt.Errorf("linkedin %s: %w", op, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.o.Token)
	req.Header.Set("Linkedin-Version", c.o.Version)
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	if restliMethod != "" {
		req.Header.Set("X-RestLi-Method", restliMethod)
	}
	rep, err := social.Do(c.hc, req, network, op)
	if err != nil {
		return social.Reply{}, err
	}
	if !rep.OK() {
		return social.Reply{}, c.replyError(op, rep)
	}
	return rep, nil
}

// replyError maps LinkedIn's {"status", "code", "message"} replies.
func (c *Client) replyError(op string, rep social.Reply) error {
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	_ = rep.Decode(network, op, &body)
	e := &social.Error{Network: network, Op: op, Kind: social.StatusKind(rep.Status), Status: rep.Status, Code: body.Code, Message: body.Message}
	scope := "w_member_social"
	if strings.HasPrefix(c.o.Author, "urn:li:organization:") {
		scope = "w_organization_social (and the member must be an administrator of the page)"
	}
	switch {
	case rep.Status == http.StatusUnauthorized:
		e.Fix = "LinkedIn access tokens last 60 days: authorise the app again with " + scope + " and set LINKEDIN_ACCESS_TOKEN"
	case rep.Status == http.StatusForbidden:
		e.Kind, e.Fix = social.KindAuth, "the token may not post as "+c.o.Author+": it needs "+scope+"; check LINKEDIN_AUTHOR_URN"
	case rep.Status == http.StatusUpgradeRequired || body.Code == "NONEXISTENT_VERSION" || body.Code == "VERSION_MISSING":
		e.Kind, e.Fix = social.KindRejected, "Linkedin-Version "+c.o.Version+" is not served any more: update the client's version"
	case rep.Status == http.StatusTooManyRequests:
		e.RetryAfter = social.RetryAfter(rep.Header, time.Now())
	}
	return e
}

var (
	reserved = regexp.MustCompile(`[|{}@\[\]()<>#\\*_~]`)
	hashtag  = regexp.MustCompile(`(^|\s)\\#([\p{L}\p{N}_\\]+)`)
)

// Commentary escapes text for LinkedIn's "little text" format, in which
// | { } @ [ ] ( ) < > # \ * _ ~ are markup; hashtags become hashtag
// elements.
func Commentary(text string) string {
	s := reserved.ReplaceAllStringFunc(text, func(m string) string { return `\` + m })
	return hashtag.ReplaceAllString(s, `$1{hashtag|\#|$2}`)
}
