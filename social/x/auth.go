package x

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"golang.org/x/oauth2"

	"github.com/halcytone/contentgen/social"
)

// fixToken says how to get a new refresh token.
const fixToken = "the refresh token is expired, revoked or already used: authorise the app again (OAuth 2.0 with PKCE, scopes " +
	scopes + ") and set X_REFRESH_TOKEN, or check X_CLIENT_ID and X_CLIENT_SECRET"

// call makes an authenticated JSON request; a 401 refreshes the access
// token once and tries again.
func (c *Client) call(ctx context.Context, op, method, path string, body, out any) error {
	return c.send(ctx, op, func() (*http.Request, error) { return social.NewJSONRequest(ctx, method, c.o.BaseURL+path, body) }, out)
}

// send makes the request newReq builds, authenticated; a 401 refreshes
// the access token once and tries again with a new request.
func (c *Client) send(ctx context.Context, op string, newReq func() (*http.Request, error), out any) error {
	for force := false; ; force = true {
		tok, err := c.token(ctx, force)
		if err != nil {
			return err
		}
		req, err := newReq()
		if err != nil {
			return fmt.Errorf("x %s: %w", op, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		rep, err := social.Do(c.hc, req, network, op)
		if err != nil {
			return err
		}
		if rep.OK() {
			if out == nil {
				return nil
			}
			return rep.Decode(network, op, out)
		}
		if rep.Status == http.StatusUnauthorized && !force {
			continue
		}
		return replyError(op, rep)
	}
}

// token returns a valid access token, refreshing it when it has expired
// or force is set. The lock spans the refresh: X's refresh tokens are
// single-use, so two refreshes at once would lose one.
func (c *Client) token(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.tok.Valid() {
		return c.tok.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.hc)
	t, err := c.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: c.tok.RefreshToken}).Token()
	if err != nil {
		return "", tokenError(err)
	}
	if t.RefreshToken == "" {
		t.RefreshToken = c.tok.RefreshToken
	}
	rotated := t.RefreshToken != c.tok.RefreshToken
	c.tok = t
	if rotated && c.o.TokenFile != "" {
		if err := os.WriteFile(c.o.TokenFile, []byte(t.RefreshToken+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("x: save the rotated refresh token to %s: %w", c.o.TokenFile, err)
		}
	}
	return t.AccessToken, nil
}

func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return social.Transport(network, "refresh token", err)
	}
	e := &social.Error{Network: network, Op: "refresh token", Kind: social.StatusKind(re.Response.StatusCode),
		Status: re.Response.StatusCode, Code: re.ErrorCode, Message: re.ErrorDescription, Err: err}
	if re.Response.StatusCode < 500 && re.Response.StatusCode != http.StatusTooManyRequests {
		e.Kind, e.Fix = social.KindAuth, fixToken
	}
	return e
}

// replyError maps X's problem-details replies ({"title", "detail", ...}).
func replyError(op string, rep social.Reply) error {
	var body struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	_ = rep.Decode(network, op, &body)
	e := &social.Error{Network: network, Op: op, Kind: social.StatusKind(rep.Status), Status: rep.Status, Message: body.Detail}
	if e.Message == "" {
		e.Message = body.Title
	}
	switch rep.Status {
	case http.StatusUnauthorized:
		e.Fix = fixToken
	case http.StatusForbidden:
		if e.Message == "" {
			e.Message = "Forbidden"
		}
		e.Fix = "X refused the post (duplicate content, or the app lacks tweet.write or write access in its settings)"
	case http.StatusPaymentRequired:
		e.Kind, e.Fix = social.KindAuth, "the X developer account has no credit left for posting: top it up in the developer portal"
	case http.StatusTooManyRequests:
		e.RetryAfter = social.UntilUnix(rep.Header.Get("x-rate-limit-reset"), time.Now())
	}
	return e
}
