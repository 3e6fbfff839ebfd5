// Package x posts to X through API v2 (POST /2/tweets, images through
// POST /2/media/upload with alt text from /2/media/metadata) with an
// OAuth 2.0 user-context token, refreshed with golang.org/x/oauth2. X rotates
// refresh tokens on every refresh; a TokenFile keeps the newest one across
// worker restarts.
package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/halcytone/contentgen/social"
)

const (
	network = social.X
	// DefaultBaseURL is X's API.
	DefaultBaseURL = "https://api.x.com"
	// scopes a refresh token needs.
	scopes = "tweet.read tweet.write users.read media.write offline.access"
)

// Options configure a Client.
type Options struct {
	// BaseURL of the API (default https://api.x.com); the token endpoint
	// is BaseURL/2/oauth2/token.
	BaseURL      string
	ClientID     string
	ClientSecret string
	// RefreshToken from the app's OAuth 2.0 authorisation (PKCE) with the
	// offline.access scope.
	RefreshToken string
	// TokenFile, when set, holds the newest refresh token: read at start
	// when present (it is newer than RefreshToken), rewritten on rotation.
	TokenFile  string
	HTTPClient *http.Client
}

// Client posts as one X user.
type Client struct {
	o   Options
	hc  *http.Client
	cfg oauth2.Config

	mu       sync.Mutex
	tok      *oauth2.Token
	userID   string
	username string
}

// New returns a Client, or an error naming the missing setting.
func New(o Options) (*Client, error) {
	if o.ClientID == "" || o.ClientSecret == "" || o.RefreshToken == "" {
		return nil, fmt.Errorf("x needs X_CLIENT_ID, X_CLIENT_SECRET and X_REFRESH_TOKEN")
	}
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	c := &Client{o: o, hc: social.HTTPClient(o.HTTPClient), tok: &oauth2.Token{RefreshToken: o.RefreshToken}}
	c.cfg = oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: o.BaseURL + "/2/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	if o.TokenFile != "" {
		b, err := os.ReadFile(o.TokenFile)
		switch {
		case err == nil && strings.TrimSpace(string(b)) != "":
			c.tok.RefreshToken = strings.TrimSpace(string(b))
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("x token file: %w", err)
		}
	}
	return c, nil
}

// Post creates a post. X has no idempotency keys; social.Once finds a
// post made by a lost attempt.
func (c *Client) Post(ctx context.Context, _ string, p social.Post) (social.Result, error) {
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	body := map[string]any{"text": p.Text}
	if p.Image != nil {
		id, err := c.upload(ctx, *p.Image)
		if err != nil {
			return social.Result{}, err
		}
		body["media"] = map[string][]string{"media_ids": {id}}
	}
	if err := c.call(ctx, "create post", http.MethodPost, "/2/tweets", body, &out); err != nil {
		return social.Result{}, err
	}
	return c.result(out.Data.ID, time.Now()), nil
}

// Find looks through the user's latest 100 posts for one whose link
// entity expands to marker (X shortens links in the text itself).
func (c *Client) Find(ctx context.Context, marker string) (social.Result, bool, error) {
	id, err := c.user(ctx)
	if err != nil {
		return social.Result{}, false, err
	}
	var out struct {
		Data []struct {
			ID        string    `json:"id"`
			CreatedAt time.Time `json:"created_at"`
			Entities  struct {
				URLs []struct {
					ExpandedURL string `json:"expanded_url"`
					UnwoundURL  string `json:"unwound_url"`
				} `json:"urls"`
			} `json:"entities"`
		} `json:"data"`
	}
	q := url.Values{"max_results": {"100"}, "tweet.fields": {"created_at,entities"}, "exclude": {"replies,retweets"}}
	if err := c.call(ctx, "list posts", http.MethodGet, "/2/users/"+url.PathEscape(id)+"/tweets?"+q.Encode(), nil, &out); err != nil {
		return social.Result{}, false, err
	}
	for _, t := range out.Data {
		for _, u := range t.Entities.URLs {
			if u.ExpandedURL == marker || u.UnwoundURL == marker {
				return c.result(t.ID, t.CreatedAt), true, nil
			}
		}
	}
	return social.Result{}, false, nil
}

// Delete deletes the post with id.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.call(ctx, "delete post", http.MethodDelete, "/2/tweets/"+url.PathEscape(id), nil, nil)
}

func (c *Client) result(id string, at time.Time) social.Result {
	c.mu.Lock()
	user := c.username
	c.mu.Unlock()
	if user == "" {
		user = "i/web"
	}
	return social.Result{Network: network, ID: id, URL: "https://x.com/" + user + "/status/" + id, At: at.UTC()}
}

func (c *Client) user(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.userID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var out struct {
		Data struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"data"`
	}
	if err := c.call(ctx, "look up user", http.MethodGet, "/2/users/me", nil, &out); err != nil {
		return "", err
	}
	c.mu.Lock()
	c.userID, c.username = out.Data.ID, out.Data.Username
	c.mu.Unlock()
	return out.Data.ID, nil
}
