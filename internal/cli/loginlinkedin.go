package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/social/linkedin"
)

// linkedInAuthBase is where LinkedIn's OAuth pages and token endpoint live.
const linkedInAuthBase = "https://www.linkedin.com"

func loginLinkedIn(ctx context.Context, e *Env, args []string) error {
	fs := flags(e, "social login linkedin", "Authorise the LinkedIn app (authorization code) in a browser signed in to the posting member,\n"+
		"redirected to this machine, and store the access token (it lasts 60 days) and the author for the worker.\n"+
		"The app's redirect URLs must list http://127.0.0.1:<port>/callback: pass that --port.",
		"LINKEDIN_CLIENT_SECRET=… starter social login linkedin --client-id abc --port 8765 --file .data/social.env")
	clientID := fs.String("client-id", e.get("LINKEDIN_CLIENT_ID", ""), "the app's client ID (LINKEDIN_CLIENT_ID)")
	author := fs.String("author", "", "post as this page, urn:li:organization:<id> (default: the member who authorises)")
	authBase := fs.String("auth-url", linkedInAuthBase, "LinkedIn's OAuth address")
	apiURL := fs.String("api-url", e.get("LINKEDIN_API_URL", linkedin.DefaultBaseURL), "LinkedIn's API (LINKEDIN_API_URL)")
	port := fs.Int("port", 0, "port of the callback on 127.0.0.1 (0: any free port)")
	file := fs.String("file", e.get("SOCIAL_CREDENTIALS_FILE", ""), "credentials file the worker reads (SOCIAL_CREDENTIALS_FILE)")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long to wait for the authorisation in the browser")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := e.get("LINKEDIN_CLIENT_SECRET", "")
	path, err := credentialsFile(e, *file)
	if err != nil {
		return err
	}
	if *clientID == "" || secret == "" {
		return fmt.Errorf("give --client-id (or LINKEDIN_CLIENT_ID) and LINKEDIN_CLIENT_SECRET, from the app's Auth tab in the developer portal")
	}
	if *author != "" && !strings.HasPrefix(*author, "urn:li:organization:") {
		return fmt.Errorf("--author %q: want urn:li:organization:<id>; leave it out to post as the member who authorises", *author)
	}
	scope := "openid profile w_member_social r_member_social"
	if *author != "" {
		scope = "openid profile w_organization_social r_organization_social"
	}
	cb, err := newCallbackOn(*port)
	if err != nil {
		return err
	}
	defer cb.close()
	base := strings.TrimRight(*authBase, "/")
	auth := base + "/oauth/v2/authorization?" + url.Values{"response_type": {"code"}, "client_id": {*clientID},
		"redirect_uri": {cb.redirect}, "state": {cb.state}, "scope": {scope}}.Encode()
	fmt.Fprintf(e.Stdout, "Open this address in a browser signed in to the member who posts, and press Allow:\n  %s\nWaiting up to %s ...\n", auth, *timeout)
	code, err := cb.wait(ctx, *timeout)
	if err != nil {
		return fmt.Errorf("linkedin: %w", err)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := postForm(ctx, hc, base+"/oauth/v2/accessToken", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"client_id": {*clientID}, "client_secret": {secret}, "redirect_uri": {cb.redirect}}, &tok); err != nil {
		return fmt.Errorf("linkedin: exchange the authorisation code: %w", err)
	}
	urn := *author
	if urn == "" {
		var me struct {
			Sub string `json:"sub"`
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(*apiURL, "/")+"/v2/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if err := doJSON(hc, req, &me); err != nil || me.Sub == "" {
			return fmt.Errorf("linkedin: find the member who authorised (needs the openid and profile scopes): %v", err)
		}
		urn = "urn:li:person:" + me.Sub
	}
	values := map[string]string{"LINKEDIN_ACCESS_TOKEN": tok.AccessToken, "LINKEDIN_AUTHOR_URN": urn}
	if *apiURL != linkedin.DefaultBaseURL {
		values["LINKEDIN_API_URL"] = *apiURL
	}
	if err := app.WriteCredentials(path, values); err != nil {
		return err
	}
	expires := time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC().Format("2006-01-02")
	fmt.Fprintf(e.Stdout, "linkedin: authorised to post as %s until about %s (log in again before then); LINKEDIN_ACCESS_TOKEN and LINKEDIN_AUTHOR_URN written to %s\n"+
		"start the worker with SOCIAL_CREDENTIALS_FILE=%s\n", urn, expires, path, path)
	return nil
}
