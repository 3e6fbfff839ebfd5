package render

import (
	"strings"
	"testing"
)

func TestCarrySocialKeepsRewritesOrDropsEdits(t *testing.T) {
	const (
		oldURL = "https://example.com/updates/2026-w48-weekly"
		newURL = "https://example.com/updates/2026-w48-weekly-the-long-exhale"
	)
	derived := func() []SocialDraft {
		var out []SocialDraft
		for _, p := range Platforms() {
			text := "Derived " + p + " " + newURL
			out = append(out, SocialDraft{Platform: p, Text: text, Length: Count(p, text), Limit: Limit(p)})
		}
		return out
	}
	// Exactly Bluesky's limit with the old URL, which it counts in full.
	full := strings.Repeat("b", Limit(Bluesky)-1-len(oldURL)) + " " + oldURL
	cases := map[string]struct {
		edits    SocialEdits
		url      string
		text     map[string]string // platform → draft text after
		posting  map[string]string // platform → Posting after
		dropped  map[string]string // platform → part of the reason
		keptText []string
	}{
		"same URL: kept as edited": {
			edits: SocialEdits{URL: newURL, Text: map[string]string{Mastodon: "Edited " + newURL}, Posting: map[string]bool{X: false}},
			url:   newURL,
			text:  map[string]string{Mastodon: "Edited " + newURL}, posting: map[string]string{X: PostingOff},
			keptText: []string{Mastodon},
		},
		"new URL: old link rewritten": {
			edits: SocialEdits{URL: oldURL, Text: map[string]string{Mastodon: "Edited " + oldURL + " and again " + oldURL, X: "Short " + oldURL}},
			url:   newURL,
			text:  map[string]string{Mastodon: "Edited " + newURL + " and again " + newURL, X: "Short " + newURL},
			// X and Mastodon count every link as 23, so a longer one still fits.
			keptText: []string{Mastodon, X},
		},
		"new URL: over the limit once rewritten": {
			edits:   SocialEdits{URL: oldURL, Text: map[string]string{Bluesky: full}, Posting: map[string]bool{Bluesky: true}},
			url:     newURL,
			text:    map[string]string{Bluesky: "Derived bluesky " + newURL},
			posting: map[string]string{Bluesky: PostingOn},
			dropped: map[string]string{Bluesky: "with the update's new link " + newURL + " it counts 316 characters, 16 over the limit of 300"},
		},
		"no link to the update": {
			edits:   SocialEdits{URL: "https://example.com/updates/elsewhere", Text: map[string]string{LinkedIn: "Edited " + oldURL}},
			url:     newURL,
			text:    map[string]string{LinkedIn: "Derived linkedin " + newURL},
			dropped: map[string]string{LinkedIn: "does not link the update at " + newURL},
		},
		"unknown platform": {
			edits:   SocialEdits{URL: newURL, Text: map[string]string{"myspace": "Edited " + newURL}, Posting: map[string]bool{"myspace": true}},
			url:     newURL,
			dropped: map[string]string{"myspace": "the edition has no myspace draft any more"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := Output{Web: WebUpdate{URL: c.url}, Social: derived()}
			kept, dropped := CarrySocial(c.edits, &out)
			if kept.URL != c.url {
				t.Errorf("kept edits link %q, want the new render's %q", kept.URL, c.url)
			}
			for _, d := range out.Social {
				if want, ok := c.text[d.Platform]; ok && (d.Text != want || d.Length != Count(d.Platform, want)) {
					t.Errorf("%s draft %q (length %d), want %q", d.Platform, d.Text, d.Length, want)
				}
				if d.Posting != c.posting[d.Platform] {
					t.Errorf("%s posting %q, want %q", d.Platform, d.Posting, c.posting[d.Platform])
				}
			}
			if len(kept.Text) != len(c.keptText) {
				t.Errorf("kept texts %v, want %v", kept.Text, c.keptText)
			}
			for _, p := range c.keptText {
				if kept.Text[p] != c.text[p] {
					t.Errorf("kept %s text %q, want %q", p, kept.Text[p], c.text[p])
				}
			}
			if len(kept.Posting) != len(c.posting) {
				t.Errorf("kept posting %v, want %v", kept.Posting, c.posting)
			}
			if len(dropped) != len(c.dropped) {
				t.Fatalf("dropped %+v, want %v", dropped, c.dropped)
			}
			for _, d := range dropped {
				if !strings.Contains(d.Reason, c.dropped[d.Platform]) || d.Text != c.edits.Text[d.Platform] {
					t.Errorf("dropped %+v, want the edited text and a reason with %q", d, c.dropped[d.Platform])
				}
			}
		})
	}
}

func TestWithSocialPutsEditsOverAcceptedSuggestions(t *testing.T) {
	o := Overrides{Subject: "Accepted subject", Social: map[string]string{X: "Suggested", Bluesky: "Suggested"}}
	got := o.WithSocial(SocialEdits{Text: map[string]string{X: "Edited"}, Posting: map[string]bool{LinkedIn: false}})
	if got.Subject != o.Subject || got.Social[X] != "Edited" || got.Social[Bluesky] != "Suggested" || got.Posting[LinkedIn] {
		t.Errorf("WithSocial = %+v", got)
	}
	if _, ok := got.Posting[LinkedIn]; !ok || o.Social[X] != "Suggested" || o.Posting != nil {
		t.Errorf("want LinkedIn kept a draft and o unchanged; got %+v from %+v", got, o)
	}
}
