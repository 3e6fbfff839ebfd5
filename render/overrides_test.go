package render

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm/mergetag"
)

func TestAcceptedOverridesChangeTheEdition(t *testing.T) {
	r := newRenderer(t)
	before, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	ed := fixtureEdition()
	ed.Accepted = Overrides{
		Subject:   "Calm {{email}} <script>alert(1)</script>",
		Preheader: "A <b>new</b> {{first_name}} preview",
		Leads:     []Lead{{Section: 0, Text: "Box breathing is live for everyone today."}},
		Social:    map[string]string{X: "Accepted post https://halcytone.example/updates/x"},
	}
	out, err := r.Render(fixtureParsed(), ed)
	if err != nil {
		t.Fatal(err)
	}
	recipient := func(string) (string, bool) { return "victim@example.com", true }
	for _, v := range out.Variants {
		if got := mergetag.Merge(v.Subject, recipient, nil, nil); got != ed.Accepted.Subject {
			t.Errorf("variant %s subject merges to %q, want the accepted text literally", v.ID, got)
		}
		if strings.Contains(v.HTML, "<b>new</b>") || !strings.Contains(v.HTML, "A &lt;b&gt;new&lt;/b&gt;") {
			t.Errorf("variant %s: the accepted preheader is not HTML-escaped", v.ID)
		}
		if got := mergetag.Merge(v.HTML, recipient, nil, nil); strings.Contains(got, "victim@example.com preview") {
			t.Errorf("variant %s: the preheader's merge tag reached recipient data", v.ID)
		}
	}
	var x, bluesky SocialDraft
	for _, s := range out.Social {
		switch s.Platform {
		case X:
			x = s
		case Bluesky:
			bluesky = s
		}
	}
	if x.Text != ed.Accepted.Social[X] || x.Length != Count(X, x.Text) {
		t.Errorf("x draft = %+v, want the accepted post", x)
	}
	if !strings.Contains(bluesky.Text, "Box breathing is live for everyone today.") {
		t.Errorf("bluesky draft does not quote the accepted lead:\n%s", bluesky.Text)
	}
	if before.Email.Subject == out.Email.Subject || before.Web.HTML != out.Web.HTML {
		t.Error("want the subject changed and the web page untouched")
	}
}

func TestAcceptedOverridesAreChecked(t *testing.T) {
	r := newRenderer(t)
	for name, o := range map[string]Overrides{
		"over the limit":   {Social: map[string]string{X: strings.Repeat("a", 281)}},
		"unknown platform": {Social: map[string]string{"myspace": "hi"}},
		"unknown section":  {Leads: []Lead{{Section: 9, Text: "x"}}},
	} {
		ed := fixtureEdition()
		ed.Accepted = o
		if _, err := r.Render(fixtureParsed(), ed); err == nil {
			t.Errorf("%s: rendered without error", name)
		}
	}
}

// An approver's edit of a draft and choice to post or not are part of
// the edition: they change its revision, and an edited draft keeps the
// lead image.
func TestApproverSocialChoicesChangeTheRevision(t *testing.T) {
	r := newRenderer(t)
	p := fixtureParsed()
	p.Intro = append(p.Intro, content.Block{Kind: content.KindImage, URL: "https://img.example/lead.png", Alt: "The lead"})
	before, err := r.Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	ed := fixtureEdition()
	ed.Accepted = Overrides{Social: map[string]string{Mastodon: "Edited https://halcytone.example/updates/x"},
		Posting: map[string]bool{LinkedIn: false, X: true}}
	out, err := r.Render(p, ed)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]SocialDraft{}
	for _, d := range out.Social {
		got[d.Platform] = d
	}
	if m := got[Mastodon]; m.Text != ed.Accepted.Social[Mastodon] || m.Image != "https://img.example/lead.png" || m.ImageAlt != "The lead" || m.Posting != "" {
		t.Errorf("mastodon draft %+v, want the edit with the lead image kept", m)
	}
	if got[LinkedIn].Posting != PostingOff || got[X].Posting != PostingOn || got[Bluesky].Posting != "" {
		t.Errorf("posting choices %+v", got)
	}
	if Digest(before) == Digest(out) {
		t.Error("the revision did not change")
	}
	ed.Accepted = Overrides{Posting: map[string]bool{LinkedIn: false}}
	off, err := r.Render(p, ed)
	if err != nil {
		t.Fatal(err)
	}
	if Digest(off) == Digest(before) || Digest(off) == Digest(out) {
		t.Error("turning one draft off must make a revision of its own")
	}
	ed.Accepted = Overrides{Posting: map[string]bool{"myspace": true}}
	if _, err := r.Render(p, ed); err == nil || !strings.Contains(err.Error(), "myspace") {
		t.Errorf("unknown platform: %v", err)
	}
}
