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
	pr, pw := io.Pipe()
	e := &Env{Lookup: func(string) string { return "" }, Stdout: pw, Stderr: io.Discard}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, e, []string{"social", "login", "mastodon", "--server", srv.URL, "--file", file})
		pw.Close()
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if u := strings.TrimSpace(line); strings.HasPrefix(u, srv.URL+"/oauth/authorize?") {
			// The browser: the server redirects back to the starter.
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Authorised") {
				t.Errorf("callback page: %d %s", resp.StatusCode, body)
			}
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("login: %v\n%s", err, out.String())
	}
	creds, err := app.ReadCredentials(file)
	if err != nil {
		t.Fatal(err)
	}
	if creds["MASTODON_SERVER"] != srv.URL || !strings.HasPrefix(creds["MASTODON_ACCESS_TOKEN"], "mastodon-token-") {
		t.Fatalf("credentials %v\n%s", creds, out.String())
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
	if !strings.Contains(out.String(), "logged in as @") {
		t.Errorf("starter said:\n%s", out.String())
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
