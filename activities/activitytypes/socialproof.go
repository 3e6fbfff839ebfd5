package activitytypes

import (
	"github.com/halcytone/contentgen/render"
)

// SocialPlan is what the run will do with one network's draft once the
// edition is approved: post it, or keep it a draft and why.
type SocialPlan struct {
	Network  string `json:"network"`
	Text     string `json:"text"`
	Length   int    `json:"length"`
	Limit    int    `json:"limit"`
	Image    string `json:"image,omitempty"`
	ImageAlt string `json:"image_alt,omitempty"`
	// Post: the draft goes out after publishing (on a worker holding the
	// network's credentials).
	Post bool `json:"post"`
	// Why says who decided to post it or keep it a draft.
	Why string `json:"why,omitempty"`
}

// networkNames are the networks as people write them, by the renderer's
// platform names (which are the social package's network names).
var networkNames = map[string]string{render.Mastodon: "Mastodon", render.Bluesky: "Bluesky", render.X: "X", render.LinkedIn: "LinkedIn"}

// NetworkName is a network as people write it ("LinkedIn").
func NetworkName(network string) string {
	if n, ok := networkNames[network]; ok {
		return n
	}
	return network
}
