package gdocs

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/sources"
)

const weeklyDoc = "1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE"

func TestRevisionAsksForRevisionIDOnly(t *testing.T) {
	g := newFakeGoogle(t)
	src := newSource(t, g.options(t))
	ctx := context.Background()
	rev, err := src.Revision(ctx, "https://docs.google.com/document/d/"+weeklyDoc+"/edit")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := src.Fetch(ctx, weeklyDoc)
	if err != nil {
		t.Fatal(err)
	}
	if rev != "ALBJ4LvGz8kQm0x5tXs1cD3Y7VqS2hZrPpN4ye-wuF6uJb9sT1oR0iA" || rev != doc.Revision {
		t.Errorf("Revision = %q, want the document's revisionId %q", rev, doc.Revision)
	}
	g.mu.Lock()
	g.revisions[weeklyDoc] = "ALBJ4LsEditedRevision"
	g.mu.Unlock()
	if rev, err = src.Revision(ctx, weeklyDoc); err != nil || rev != "ALBJ4LsEditedRevision" {
		t.Errorf("after an edit Revision = %q, %v; want the new revisionId", rev, err)
	}
}

func TestRevisionWithoutEditAccessDigestsTheDocument(t *testing.T) {
	g := newFakeGoogle(t)
	src := newSource(t, g.options(t))
	g.revisions[weeklyDoc] = "" // a Viewer gets no revisionId
	rev, err := src.Revision(context.Background(), weeklyDoc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rev, "sha256:") || len(rev) != len("sha256:")+64 {
		t.Errorf("Revision = %q, want a sha256 digest of the document", rev)
	}
	again, _ := src.Revision(context.Background(), weeklyDoc)
	if again != rev {
		t.Errorf("digest of an unchanged document changed: %q then %q", rev, again)
	}
	if n := g.count("/v1/documents/" + weeklyDoc); n != 4 {
		t.Errorf("documents.get called %d times, want 4 (revisionId, then the document, twice)", n)
	}
}

func TestRevisionErrorsAreClassified(t *testing.T) {
	g := newFakeGoogle(t)
	src := newSource(t, g.options(t))
	_, err := src.Revision(context.Background(), "1NoSuchDocument_zzzzzzzzzzzzzzzzzzzzzzzzz")
	if !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("missing document: err = %v, want ErrNotFound", err)
	}
	g.docs = append(g.docs, reply{status: http.StatusForbidden, file: "errors/permission_denied.json"})
	_, err = src.Revision(context.Background(), weeklyDoc)
	if !errors.Is(err, sources.ErrPermission) {
		t.Errorf("403: err = %v, want ErrPermission", err)
	}
}
