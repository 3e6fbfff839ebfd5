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
