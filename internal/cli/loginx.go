package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/social/x"
)

// xAuthorizeURL is X's consent page for OAuth 2.0 apps.
const xAuthorizeURL = "https://x.com/i/oauth2/authorize"

// xScopes are what posting with images and finding posts again need.
var xScopes = []string{"tweet.read", "tweet.write", "users.read", "media.write", "offline.access"}

func loginX(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "social login x", "Authorise the X app (OAuth 2.0 with PKCE) in a browser signed in to the posting account,\n"+
		"redirected to this machine, and store the refresh token for the worker. The app's callback URLs must\n"+
		"allow http://127.0.0.1 (X matches the port too: pass --port and register that exact address).",
		"X_CLIENT_SECRET=… starter social login x --client-id abc --port 8765 --file .data/social.env")
	clientID := fs.String("client-id", e.get("X_CLIENT_ID", ""), "the app's OAuth 2.0 client ID (X_CLIENT_ID)")
	apiURL := fs.String("api-url", e.get("X_API_URL", x.DefaultBaseURL), "X's API (X_API_URL); the token endpoint is <api-url>/2/oauth2/token")
	authURL := fs.String("authorize-url", xAuthorizeURL, "X's consent page")
	port := fs.Int("port", 0, "port of the callback on 127.0.0.1 (0: any free port)")
	file := fs.String("file", e.get("SOCIAL_CREDENTIALS_FILE", ""), "credentials file the worker reads (SOCIAL_CREDENTIALS_FILE)")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long to wait for the authorisation in the browser")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := e.get("X_CLIENT_SECRET", "")
	path, err := credentialsFile(e, *file)
	if err != nil {
		return err
	}
	if *clientID == "" || secret == "" {
		return fmt.Errorf("give --client-id (or X_CLIENT_ID) and X_CLIENT_SECRET: the OAuth 2.0 client of a confidential app in the developer portal")
	}
	cb, err := newCallbackOn(*port)
	if err != nil {
		return err
	}
	defer cb.close()
	cfg := oauth2.Config{ClientID: *clientID, ClientSecret: secret, RedirectURL: cb.redirect, Scopes: xScopes,
		Endpoint: oauth2.Endpoint{AuthURL: *authURL, TokenURL: strings.TrimRight(*apiURL, "/") + "/2/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	verifier := oauth2.GenerateVerifier()
	fmt.Fprintf(e.Stdout, "Open this address in a browser signed in to the account that posts, and authorise the app:\n  %s\nWaiting up to %s ...\n",
		cfg.AuthCodeURL(cb.state, oauth2.S256ChallengeOption(verifier)), *timeout)
	code, err := cb.wait(ctx, *timeout)
	if err != nil {
		return fmt.Errorf("x: %w", err)
	}
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Timeout: 30 * time.Second}), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return fmt.Errorf("x: exchange the authorisation code: %w", err)
	}
	if tok.RefreshToken == "" {
		return fmt.Errorf("x: no refresh token came back: the app must ask for offline.access")
	}
	values := map[string]string{"X_CLIENT_ID": *clientID, "X_CLIENT_SECRET": secret, "X_REFRESH_TOKEN": tok.RefreshToken}
	if *apiURL != x.DefaultBaseURL {
		values["X_API_URL"] = *apiURL
	}
	if err := app.WriteCredentials(path, values); err != nil {
		return err
	}
	// The worker prefers X_TOKEN_FILE's token to X_REFRESH_TOKEN: keep it
	// in step, or the worker would go on with a stale one.
	if tf := e.get("X_TOKEN_FILE", ""); tf != "" {
		if err := writeTokenFile(tf, tok.RefreshToken); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.Stdout, "x: authorised; X_CLIENT_ID, X_CLIENT_SECRET and X_REFRESH_TOKEN written to %s\n"+
		"start the worker with SOCIAL_CREDENTIALS_FILE=%s\n", path, path)
	return nil
}
