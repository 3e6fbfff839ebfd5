package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/social/bluesky"
)

// mastodonScopes are what posting needs: statuses, media, and reading
// the account's posts to find one again after a lost reply.
const mastodonScopes = "write:statuses write:media read:statuses read:accounts"

func runSocialLogin(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("social login: name a network: mastodon, bluesky, x or linkedin, e.g. starter social login mastodon --server https://mastodon.social")
	}
	switch args[0] {
	case "mastodon":
		return loginMastodon(ctx, e, args[1:])
	case "bluesky":
		return loginBluesky(ctx, e, args[1:])
	case "x":
		return loginX(ctx, e, args[1:])
	case "linkedin":
		return loginLinkedIn(ctx, e, args[1:])
	}
	return fmt.Errorf("social login: unknown network %q: use mastodon, bluesky, x or linkedin", args[0])
}

func credentialsFile(e *Env, file string) (string, error) {
	if file == "" {
		return "", fmt.Errorf("--file is required (or SOCIAL_CREDENTIALS_FILE): the file the worker reads credentials from, e.g. .data/social.env")
	}
	return file, nil
}

func loginBluesky(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "social login bluesky", "Check a Bluesky handle and app password by creating a session, then store them for the worker.",
		"BLUESKY_APP_PASSWORD=xxxx-xxxx-xxxx-xxxx starter social login bluesky --handle halcytone.bsky.social --file .data/social.env")
	handle := fs.String("handle", e.get("BLUESKY_HANDLE", ""), "the account's handle (BLUESKY_HANDLE)")
	service := fs.String("service", e.get("BLUESKY_SERVICE", bluesky.DefaultService), "the account's PDS (BLUESKY_SERVICE)")
	file := fs.String("file", e.get("SOCIAL_CREDENTIALS_FILE", ""), "credentials file the worker reads (SOCIAL_CREDENTIALS_FILE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	password := e.get("BLUESKY_APP_PASSWORD", "")
	path, err := credentialsFile(e, *file)
	if err != nil {
		return err
	}
	if *handle == "" || password == "" {
		return fmt.Errorf("give --handle and BLUESKY_APP_PASSWORD (an app password from Settings → Privacy and security → App passwords; never the account password)")
	}
	c, err := bluesky.New(bluesky.Options{Service: *service, Handle: *handle, AppPassword: password})
	if err != nil {
		return err
	}
	did, err := c.Login(ctx)
	if err != nil {
		return fmt.Errorf("bluesky login as %s on %s: %w", *handle, *service, err)
	}
	if err := app.WriteCredentials(path, map[string]string{"BLUESKY_SERVICE": *service, "BLUESKY_HANDLE": *handle, "BLUESKY_APP_PASSWORD": password}); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "bluesky: logged in as %s (%s); BLUESKY_SERVICE, BLUESKY_HANDLE and BLUESKY_APP_PASSWORD written to %s\n"+
		"start the worker with SOCIAL_CREDENTIALS_FILE=%s\n", *handle, did, path, path)
	return nil
}

func loginMastodon(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "social login mastodon", "Register an application on a Mastodon server, authorise it in a browser signed in to the\n"+
		"posting account (authorization code flow, redirected to this machine), and store the access token for the worker.",
		"starter social login mastodon --server https://mastodon.social --file .data/social.env")
	server := fs.String("server", e.get("MASTODON_SERVER", ""), "the instance, e.g. https://mastodon.social (MASTODON_SERVER)")
	file := fs.String("file", e.get("SOCIAL_CREDENTIALS_FILE", ""), "credentials file the worker reads (SOCIAL_CREDENTIALS_FILE)")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long to wait for the authorisation in the browser")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path, err := credentialsFile(e, *file)
	if err != nil {
		return err
	}
	base := strings.TrimRight(*server, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--server %q: give the instance's address, e.g. https://mastodon.social", *server)
	}
	cb, err := newCallback()
	if err != nil {
		return err
	}
	defer cb.close()
	hc := &http.Client{Timeout: 30 * time.Second}
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := postForm(ctx, hc, base+"/api/v1/apps", url.Values{"client_name": {"Halcytone newsletter"}, "redirect_uris": {cb.redirect},
		"scopes": {mastodonScopes}}, &reg); err != nil {
		return fmt.Errorf("mastodon: register the application on %s: %w", base, err)
	}
	auth := base + "/oauth/authorize?" + url.Values{"client_id": {reg.ClientID}, "redirect_uri": {cb.redirect},
		"response_type": {"code"}, "scope": {mastodonScopes}, "state": {cb.state}}.Encode()
	fmt.Fprintf(e.Stdout, "Open this address in a browser signed in to the account that posts, and press Authorize:\n  %s\nWaiting up to %s ...\n", auth, *timeout)
	code, err := cb.wait(ctx, *timeout)
	if err != nil {
		return fmt.Errorf("mastodon: %w", err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := postForm(ctx, hc, base+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {reg.ClientID}, "client_secret": {reg.ClientSecret}, "redirect_uri": {cb.redirect}, "scope": {mastodonScopes}}, &tok); err != nil {
		return fmt.Errorf("mastodon: exchange the authorisation code: %w", err)
	}
	var acct struct {
		Acct string `json:"acct"`
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/accounts/verify_credentials", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if err := doJSON(hc, req, &acct); err != nil {
		return fmt.Errorf("mastodon: check the new token: %w", err)
	}
	if err := app.WriteCredentials(path, map[string]string{"MASTODON_SERVER": base, "MASTODON_ACCESS_TOKEN": tok.AccessToken}); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "mastodon: logged in as @%s on %s; MASTODON_SERVER and MASTODON_ACCESS_TOKEN written to %s\n"+
		"start the worker with SOCIAL_CREDENTIALS_FILE=%s\n", acct.Acct, base, path, path)
	return nil
}

// callback receives an OAuth authorisation code on this machine.
type callback struct {
	ln       net.Listener
	srv      *http.Server
	redirect string
	state    string
	got      chan callbackResult
}

type callbackResult struct {
	code string
	err  error
}

func newCallback() (*callback, error) { return newCallbackOn(0) }

// newCallbackOn listens on 127.0.0.1:port (0: any free port).
func newCallbackOn(port int) (*callback, error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("listen for the authorisation on this machine: %w", err)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	cb := &callback{ln: ln, redirect: "http://" + ln.Addr().String() + "/callback", state: hex.EncodeToString(b), got: make(chan callbackResult, 1)}
	cb.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(cb.serve)}
	go func() { _ = cb.srv.Serve(ln) }()
	return cb, nil
}

func (cb *callback) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/callback" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	var res callbackResult
	switch {
	case q.Get("state") != cb.state:
		http.Error(w, "This authorisation was not started here; run the login again.", http.StatusBadRequest)
		return
	case q.Get("error") != "":
		res.err = fmt.Errorf("authorisation refused: %s %s", q.Get("error"), q.Get("error_description"))
	case q.Get("code") == "":
		res.err = errors.New("the authorisation came back without a code")
	default:
		res.code = q.Get("code")
	}
	select {
	case cb.got <- res:
	default:
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if res.err != nil {
		fmt.Fprintln(w, res.err)
		return
	}
	fmt.Fprintln(w, "Authorised. You can close this tab; the starter finishes the login.")
}

func (cb *callback) wait(ctx context.Context, timeout time.Duration) (string, error) {
	select {
	case res := <-cb.got:
		return res.code, res.err
	case <-time.After(timeout):
		return "", fmt.Errorf("no authorisation within %s: open the address and press Authorize, or run the login again with a longer --timeout", timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (cb *callback) close() { _ = cb.srv.Close() }

func postForm(ctx context.Context, hc *http.Client, u string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doJSON(hc, req, out)
}

func doJSON(hc *http.Client, req *http.Request, out any) error {
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		msg := strings.TrimSpace(e.Error + " " + e.Description)
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		return fmt.Errorf("%s %s: HTTP %d: %s", req.Method, req.URL.Redacted(), resp.StatusCode, msg)
	}
	return json.Unmarshal(body, out)
}

func writeTokenFile(path, tok string) error {
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return fmt.Errorf("X_TOKEN_FILE: %w", err)
	}
	return nil
}
