package app

import (
	"strings"
	"testing"
)

func TestSocialBuildsConfiguredNetworksOnly(t *testing.T) {
	env := map[string]string{
		"MASTODON_SERVER": "https://mastodon.example", "MASTODON_ACCESS_TOKEN": "t",
		"LINKEDIN_ACCESS_TOKEN": "t", "LINKEDIN_AUTHOR_URN": "urn:li:organization:1",
	}
	got, err := Social(SocialFromEnv(func(k string) string { return env[k] }))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["mastodon"] == nil || got["linkedin"] == nil {
		t.Fatalf("networks %v, want mastodon and linkedin", got)
	}
	env = map[string]string{"BLUESKY_HANDLE": "halcytone.bsky.social"}
	if _, err := Social(SocialFromEnv(func(k string) string { return env[k] })); err == nil || !strings.Contains(err.Error(), "BLUESKY_APP_PASSWORD") {
		t.Fatalf("half-configured bluesky: %v, want an error naming BLUESKY_APP_PASSWORD", err)
	}
}
