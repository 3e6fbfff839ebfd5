package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/fake"
)

// The Mastodon login registers an app, waits for the browser's
// authorisation on this machine, exchanges the code and stores a token
// the worker then posts with.
func TestSocialLoginMastodon(t *testing.T) {
	masto := fake.NewMastodon("")
	srv := httptest.NewServer(masto)
	t.Cleanup(srv.Close)
	masto.URL = srv.URL
	file := filepath.Join(t.TempDir(), "social.env")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := loginInBrowser(t, ctx, nil, srv.URL+"/oauth/authorize?", "social", "login", "mastodon", "--server", srv.URL, "--file", file)
	creds, err := app.ReadCredentials(file)
	if err != nil {
		t.Fatal(err)
	}
	if creds["MASTODON_SERVER"] != srv.URL || !strings.HasPrefix(creds["MASTODON_ACCESS_TOKEN"], "mastodon-token-") {
		t.Fatalf("credentials %v\n%s", creds, out)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v, want 0600", fi.Mode().Perm())
	}
	// The worker's configuration reads the file when the environment
	// has no Mastodon settings, and the token posts.
	networks, err := app.Social(app.SocialFromEnv(app.WithCredentials(func(string) string { return "" }, creds)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := networks[social.Mastodon].Post(ctx, "k", social.Post{Text: "Hello https://example.com/u", Link: "https://example.com/u"}); err != nil {
		t.Fatalf("post with the stored token: %v", err)
	}
	if !strings.Contains(out, "logged in as @") {
		t.Errorf("starter said:\n%s", out)
	}
}

func TestSocialLoginBluesky(t *testing.T) {
	sky := fake.NewBluesky("halcytone.test", "good-app-pass")
	srv := httptest.NewServer(sky)
	t.Cleanup(srv.Close)
	file := filepath.Join(t.TempDir(), "social.env")
	if err := app.WriteCredentials(file, map[string]string{"MASTODON_SERVER": "https://kept.example"}); err != nil {
		t.Fatal(err)
	}
	run := func(password string) (string, error) {
		var out strings.Builder
		env := map[string]string{"BLUESKY_APP_PASSWORD": password}
		e := &Env{Lookup: func(k string) string { return env[k] }, Stdout: &out, Stderr: &out}
		err := Run(context.Background(), e, []string{"social", "login", "bluesky", "--handle", "halcytone.test", "--service", srv.URL, "--file", file})
		return out.String(), err
	}
	if _, err := run("wrong"); err == nil || !strings.Contains(err.Error(), "bluesky login as halcytone.test") {
		t.Errorf("wrong app password: %v", err)
	}
	if creds, _ := app.ReadCredentials(file); creds["BLUESKY_APP_PASSWORD"] != "" {
		t.Error("a refused login stored the password")
	}
	if out, err := run("good-app-pass"); err != nil {
		t.Fatalf("login: %v\n%s", err, out)
	}
	creds, _ := app.ReadCredentials(file)
	if creds["BLUESKY_HANDLE"] != "halcytone.test" || creds["BLUESKY_APP_PASSWORD"] != "good-app-pass" || creds["BLUESKY_SERVICE"] != srv.URL || creds["MASTODON_SERVER"] != "https://kept.example" {
		t.Errorf("credentials %v", creds)
	}
}

func TestSocialLoginSaysWhatIsMissing(t *testing.T) {
	e := &Env{Lookup: func(string) string { return "" }, Stdout: io.Discard, Stderr: io.Discard}
	for args, want := range map[string]string{
		"":                                    "name a network",
		"myspace":                             `unknown network "myspace"`,
		"mastodon --server https://m.example": "--file is required",
		"bluesky --file f":                    "BLUESKY_APP_PASSWORD",
	} {
		err := Run(context.Background(), e, append([]string{"social", "login"}, strings.Fields(args)...))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("social login %s: %v, want %q", args, err, want)
		}
	}
}

// loginInBrowser runs the starter with args and, as a person's browser
// would, opens the address it prints that starts with authPrefix; the
// service redirects back to the starter. It returns what the starter
// printed.
func loginInBrowser(t *testing.T, ctx context.Context, env map[string]string, authPrefix string, args ...string) string {
	t.Helper()
	pr, pw := io.Pipe()
	e := &Env{Lookup: func(k string) string { return env[k] }, Stdout: pw, Stderr: io.Discard}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, e, args)
		pw.Close()
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if u := strings.TrimSpace(line); strings.HasPrefix(u, authPrefix) {
			resp, err := http.Get(u)
			if err != nil {
				t.Error(err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Authorised") {
				t.Errorf("callback page: %d %s", resp.StatusCode, body)
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// The X login runs OAuth 2.0 with PKCE against the fake (which checks
// the verifier against the challenge) and stores a refresh token the
// worker's client then posts with; X_TOKEN_FILE is kept in step.
func TestSocialLoginX(t *testing.T) {
	xf := fake.NewX("x-client", "x-secret", "old-refresh")
	srv := httptest.NewServer(xf)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	file, tokenFile := filepath.Join(dir, "social.env"), filepath.Join(dir, "x-token")
	if err := os.WriteFile(tokenFile, []byte("stale\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := map[string]string{"X_CLIENT_SECRET": "x-secret", "X_TOKEN_FILE": tokenFile}
	out := loginInBrowser(t, ctx, env, srv.URL+"/i/oauth2/authorize?", "social", "login", "x", "--client-id", "x-client",
		"--api-url", srv.URL, "--authorize-url", srv.URL+"/i/oauth2/authorize", "--file", file)
	creds, err := app.ReadCredentials(file)
	if err != nil {
		t.Fatal(err)
	}
	if creds["X_CLIENT_ID"] != "x-client" || !strings.HasPrefix(creds["X_REFRESH_TOKEN"], "x-refresh-") || creds["X_API_URL"] != srv.URL {
		t.Fatalf("credentials %v\n%s", creds, out)
	}
	if b, _ := os.ReadFile(tokenFile); strings.TrimSpace(string(b)) != creds["X_REFRESH_TOKEN"] {
		t.Errorf("X_TOKEN_FILE holds %q, want the new refresh token", b)
	}
	creds["X_TOKEN_FILE"] = tokenFile
	networks, err := app.Social(app.SocialFromEnv(app.WithCredentials(func(string) string { return "" }, creds)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := networks[social.X].Post(ctx, "", social.Post{Text: "Hello https://example.com/u", Link: "https://example.com/u"}); err != nil || len(xf.Tweets()) != 1 {
		t.Fatalf("post with the stored token: %v (%d tweets)", err, len(xf.Tweets()))
	}
}

// The LinkedIn login exchanges the member's authorisation for a token,
// finds the member's URN and stores both; the worker's client posts.
func TestSocialLoginLinkedIn(t *testing.T) {
	li := fake.NewLinkedIn("", "urn:li:person:abc123")
	li.ClientID, li.ClientSecret = "li-client", "li-secret"
	srv := httptest.NewServer(li)
	t.Cleanup(srv.Close)
	file := filepath.Join(t.TempDir(), "social.env")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := loginInBrowser(t, ctx, map[string]string{"LINKEDIN_CLIENT_SECRET": "li-secret"}, srv.URL+"/oauth/v2/authorization?",
		"social", "login", "linkedin", "--client-id", "li-client", "--auth-url", srv.URL, "--api-url", srv.URL, "--file", file)
	creds, err := app.ReadCredentials(file)
	if err != nil {
		t.Fatal(err)
	}
	if creds["LINKEDIN_AUTHOR_URN"] != "urn:li:person:abc123" || !strings.HasPrefix(creds["LINKEDIN_ACCESS_TOKEN"], "li-token-") {
		t.Fatalf("credentials %v\n%s", creds, out)
	}
	networks, err := app.Social(app.SocialFromEnv(app.WithCredentials(func(string) string { return "" }, creds)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := networks[social.LinkedIn].Post(ctx, "", social.Post{Text: "Hello https://example.com/u", Link: "https://example.com/u"}); err != nil || len(li.Posts()) != 1 {
		t.Fatalf("post with the stored token: %v (%d posts)", err, len(li.Posts()))
	}
	// A wrong client secret stops the login with LinkedIn's error.
	var buf strings.Builder
	pr, pw := io.Pipe()
	e := &Env{Lookup: func(k string) string { return map[string]string{"LINKEDIN_CLIENT_SECRET": "wrong"}[k] }, Stdout: pw, Stderr: io.Discard}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, e, []string{"social", "login", "linkedin", "--client-id", "li-client", "--auth-url", srv.URL, "--api-url", srv.URL, "--file", file})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		buf.WriteString(sc.Text() + "\n")
		if u := strings.TrimSpace(sc.Text()); strings.HasPrefix(u, srv.URL+"/oauth/v2/authorization?") {
			if resp, err := http.Get(u); err == nil {
				resp.Body.Close()
			}
		}
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong secret: %v\n%s", err, buf.String())
	}
}
