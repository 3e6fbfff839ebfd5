package cli

import (
	"strings"
	"testing"
	"time"
)

func TestPostAtFlag(t *testing.T) {
	var l postAtList
	if err := l.Set("mastodon=2026-12-01T10:00:00+01:00"); err != nil {
		t.Fatal(err)
	}
	if len(l) != 1 || l[0].Network != "mastodon" || !l[0].At.Equal(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("%+v", l)
	}
	for _, bad := range []string{"mastodon", "mastodon=tomorrow", "x=2026-12-01 10:00"} {
		if err := l.Set(bad); err == nil || !strings.Contains(err.Error(), "2026-12-01T10:00:00+01:00") {
			t.Errorf("%q: %v, want an error with an example", bad, err)
		}
	}
}

func TestUnknownNetworkIsRefusedBeforeStart(t *testing.T) {
	f := inputFlags{source: "markdown:x.md", approvers: list{"ana@example.com"}, noSocial: list{"myspace"}}
	if _, err := f.input(&Env{}, "2026-W48"); err == nil || !strings.Contains(err.Error(), `"myspace"`) {
		t.Fatalf("got %v", err)
	}
	f.noSocial = list{"x"}
	in, err := f.input(&Env{}, "2026-W48")
	if err != nil || len(in.Social.Disabled) != 1 {
		t.Fatalf("%+v %v", in.Social, err)
	}
}

func TestSocialEditFlags(t *testing.T) {
	texts := &networkValues{want: "network=text"}
	posts := &networkValues{want: "network=on|off"}
	for _, v := range []string{"mastodon=New post https://example.com/u", "X=a=b"} {
		if err := texts.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := posts.Set("x=off"); err != nil {
		t.Fatal(err)
	}
	edits, err := socialEditsFrom(texts, posts)
	if err != nil {
		t.Fatal(err)
	}
	if len(edits) != 2 || edits[0].Network != "mastodon" || edits[1].Network != "x" || edits[1].Text != "a=b" || edits[1].Post == nil || *edits[1].Post {
		t.Errorf("edits %+v", edits)
	}
	if err := texts.Set("no-equals"); err == nil {
		t.Error("a value without network= was accepted")
	}
	bad := &networkValues{}
	_ = bad.Set("x=maybe")
	if _, err := socialEditsFrom(&networkValues{}, bad); err == nil || !strings.Contains(err.Error(), "want on or off") {
		t.Errorf("--post x=maybe: %v", err)
	}
	if _, err := socialEditsFrom(&networkValues{}, &networkValues{}); err == nil || !strings.Contains(err.Error(), "nothing to change") {
		t.Errorf("no edits: %v", err)
	}
}
