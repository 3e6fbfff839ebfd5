package bluesky

import (
	"context"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/social"
)

// call makes an authenticated XRPC call. For POST, build returns the JSON
// body; for GET, the method name with its query. An expired access token
// is refreshed once (and the session created anew if the refresh token
// has expired too).
func (c *Client) call(ctx context.Context, op, method, nsid string, build func(*session) any, out any) error {
	return c.send(ctx, op, func(s *session) (*http.Request, error) {
		arg := build(s)
		if method == http.MethodGet {
			return c.authed(ctx, method, arg.(string), nil, s.AccessJwt)
		}
		return c.authed(ctx, method, nsid, arg, s.AccessJwt)
	}, out)
}

func (c *Client) send(ctx context.Context, op string, build func(*session) (*http.Request, error), out any) error {
	s, err := c.session(ctx)
	if err != nil {
		return err
	}
	for refreshed := false; ; refreshed = true {
		req, err := build(s)
		if err != nil {
			return err
		}
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
		e := replyError(op, rep)
		if refreshed || !expired(e) {
			return e
		}
		if s, err = c.renew(ctx, s); err != nil {
			return err
		}
	}
}

func (c *Client) authed(ctx context.Context, method, nsid string, body any, token string) (*http.Request, error) {
	req, err := social.NewJSONRequest(ctx, method, c.o.Service+"/xrpc/"+nsid, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return req, nil
}

// session returns the current session, creating one the first time.
func (c *Client) session(ctx context.Context) (*session, error) {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return c.create(ctx)
}

func (c *Client) create(ctx context.Context) (*session, error) {
	req, err := social.NewJSONRequest(ctx, http.MethodPost, c.o.Service+"/xrpc/com.atproto.server.createSession",
		map[string]string{"identifier": c.o.Handle, "password": c.o.AppPassword})
	if err != nil {
		return nil, err
	}
	return c.store("create session", req, nil)
}

// renew refreshes old's tokens; when the refresh token has expired too it
// logs in again with the app password.
func (c *Client) renew(ctx context.Context, old *session) (*session, error) {
	c.mu.Lock()
	cur := c.sess
	c.mu.Unlock()
	if cur != nil && cur != old {
		return cur, nil // another call renewed it already
	}
	req, err := c.authed(ctx, http.MethodPost, "com.atproto.server.refreshSession", nil, old.RefreshJwt)
	if err != nil {
		return nil, err
	}
	s, err := c.store("refresh session", req, old)
	if e, ok := social.AsError(err); ok && (expired(e) || e.Code == "InvalidToken") {
		return c.create(ctx)
	}
	return s, err
}

func (c *Client) store(op string, req *http.Request, old *session) (*session, error) {
	rep, err := social.Do(c.hc, req, network, op)
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, replyError(op, rep)
	}
	var s session
	if err := rep.Decode(network, op, &s); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if old == nil || c.sess == old || c.sess == nil {
		c.sess = &s
	}
	c.mu.Unlock()
	return &s, nil
}

func expired(e *social.Error) bool {
	return e.Code == "ExpiredToken"
}

// replyError maps XRPC's {"error": code, "message": text} replies.
func replyError(op string, rep social.Reply) *social.Error {
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = rep.Decode(network, op, &body)
	e := &social.Error{Network: network, Op: op, Kind: social.StatusKind(rep.Status), Status: rep.Status, Code: body.Error, Message: body.Message}
	switch {
	case body.Error == "ExpiredToken" || body.Error == "InvalidToken" || body.Error == "AuthenticationRequired" || rep.Status == http.StatusUnauthorized:
		e.Kind = social.KindAuth
		e.Fix = "the session could not be renewed: check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (create an app password under Settings > Privacy and security > App passwords) and BLUESKY_SERVICE"
	case body.Error == "AccountTakedown" || body.Error == "AccountDeactivated":
		e.Kind = social.KindAuth
		e.Fix = "the account cannot post; sign in to Bluesky to see why"
	case rep.Status == http.StatusTooManyRequests:
		e.RetryAfter = social.UntilUnix(rep.Header.Get("RateLimit-Reset"), time.Now())
		if e.RetryAfter == 0 {
			e.RetryAfter = social.RetryAfter(rep.Header, time.Now())
		}
	}
	return e
}
