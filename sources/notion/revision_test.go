package notion

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/sources"
)

func TestRevisionReadsThePageOnly(t *testing.T) {
	f := newFakeNotion(t)
	src := newSource(t, f.options())
	ctx := context.Background()
	rev, err := src.Revision(ctx, "https://www.notion.so/halcytone/Weekly-"+strings.ReplaceAll(weeklyID, "-", ""))
	if err != nil {
		t.Fatal(err)
	}
	if rev != "2026-11-24T16:42:00Z" {
		t.Errorf("Revision = %q, want the page's last_edited_time", rev)
	}
	log := f.log()
	if len(log) != 1 || count(log, "/v1/pages/"+weeklyID) != 1 {
		t.Errorf("requests = %v, want one retrieve-a-page request and no block reads", log)
	}
	doc, err := src.Fetch(ctx, weeklyID)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Revision != rev {
		t.Errorf("Fetch revision %q differs from Revision %q", doc.Revision, rev)
	}

	f.script("/v1/pages/"+weeklyID, reply{status: 200, body: `{"object":"page","id":"` + weeklyID + `","created_time":"2026-11-20T09:00:00.000Z","last_edited_time":"2026-11-25T08:13:00.000Z","properties":{}}`})
	if rev, err = src.Revision(ctx, weeklyID); err != nil || rev != "2026-11-25T08:13:00Z" {
		t.Errorf("after an edit Revision = %q, %v; want the new last_edited_time", rev, err)
	}
}

func TestRevisionErrors(t *testing.T) {
	f := newFakeNotion(t)
	src := newSource(t, f.options())
	_, err := src.Revision(context.Background(), "00000000000000000000000000000000")
	if !errors.Is(err, sources.ErrNotFound) || !strings.Contains(err.Error(), "share the page with the integration") {
		t.Errorf("unshared page: err = %v, want ErrNotFound saying to share it", err)
	}
	if _, err := src.Revision(context.Background(), "not-a-page"); !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("bad ID: err = %v, want ErrNotFound", err)
	}
	f.script("/v1/pages/"+weeklyID, reply{status: 401, body: notionError(401, "unauthorized", "API token is invalid.")})
	if _, err := src.Revision(context.Background(), weeklyID); !errors.Is(err, sources.ErrAuth) {
		t.Errorf("401: err = %v, want ErrAuth", err)
	}
}

func TestPageIDIsDashed(t *testing.T) {
	got, err := PageID(strings.ReplaceAll(weeklyID, "-", ""))
	if err != nil || got != weeklyID {
		t.Errorf("PageID = %q, %v; want %q", got, err, weeklyID)
	}
}
