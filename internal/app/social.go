package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/social"
	"github.com/halcytone/contentgen/social/bluesky"
	"github.com/halcytone/contentgen/social/linkedin"
	"github.com/halcytone/contentgen/social/mastodon"
	"github.com/halcytone/contentgen/social/x"
)

// SocialConfig holds each network's credentials. A network with none set
// is left out, and its posts stay drafts.
type SocialConfig struct {
	Mastodon mastodon.Options
	Bluesky  bluesky.Options
	X        x.Options
	LinkedIn linkedin.Options
}

// SocialFromEnv maps the worker's environment onto SocialConfig. lookup is
// os.Getenv in mains.
func SocialFromEnv(lookup func(string) string) SocialConfig {
	return SocialConfig{
		Mastodon: mastodon.Options{Server: lookup("MASTODON_SERVER"), Token: lookup("MASTODON_ACCESS_TOKEN"),
			Visibility: lookup("MASTODON_VISIBILITY")},
		Bluesky: bluesky.Options{Service: lookup("BLUESKY_SERVICE"), Handle: lookup("BLUESKY_HANDLE"),
			AppPassword: lookup("BLUESKY_APP_PASSWORD"), WebURL: lookup("BLUESKY_WEB_URL")},
		X: x.Options{BaseURL: lookup("X_API_URL"), ClientID: lookup("X_CLIENT_ID"), ClientSecret: lookup("X_CLIENT_SECRET"),
			RefreshToken: lookup("X_REFRESH_TOKEN"), TokenFile: lookup("X_TOKEN_FILE")},
		LinkedIn: linkedin.Options{BaseURL: lookup("LINKEDIN_API_URL"), Token: lookup("LINKEDIN_ACCESS_TOKEN"),
			Author: lookup("LINKEDIN_AUTHOR_URN"), Version: lookup("LINKEDIN_VERSION")},
	}
}

// Social builds a client for each network cfg has credentials for. A
// network configured by halves is an error that names what is missing.
func Social(cfg SocialConfig) (map[string]social.Poster, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	out := map[string]social.Poster{}
	add := func(network string, set bool, build func() (social.Poster, error)) error {
		if !set {
			return nil
		}
		p, err := build()
		if err != nil {
			return fmt.Errorf("social network %s: %w", network, err)
		}
		out[network] = p
		return nil
	}
	m, b, xo, l := cfg.Mastodon, cfg.Bluesky, cfg.X, cfg.LinkedIn
	m.HTTPClient, b.HTTPClient, xo.HTTPClient, l.HTTPClient = hc, hc, hc, hc
	errs := []error{
		add(social.Mastodon, m.Server != "" || m.Token != "", func() (social.Poster, error) { return mastodon.New(m) }),
		add(social.Bluesky, b.Handle != "" || b.AppPassword != "", func() (social.Poster, error) { return bluesky.New(b) }),
		add(social.X, xo.ClientID != "" || xo.ClientSecret != "" || xo.RefreshToken != "", func() (social.Poster, error) { return x.New(xo) }),
		add(social.LinkedIn, l.Token != "" || l.Author != "", func() (social.Poster, error) { return linkedin.New(l) }),
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
