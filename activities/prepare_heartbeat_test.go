package activities_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/artifact/blobstore"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/internal/testdocs"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/markdown"
)

// gatedSource hands out its document only once the activity fetching it
// has heartbeated, as a slow fetch would be seen from the server.
type gatedSource struct {
	beat chan struct{}
	doc  content.Document
}

func (g *gatedSource) Fetch(ctx context.Context, _ string) (content.Document, error) {
	select {
	case <-g.beat:
		return g.doc, nil
	case <-ctx.Done():
		return content.Document{}, ctx.Err()
	case <-time.After(time.Minute):
		return content.Document{}, errors.New("no heartbeat in a minute of fetching: the server would take the worker for dead")
	}
}

// A worker that dies while preparing an edition is noticed by the
// heartbeat timeout, so the activity heartbeats while it fetches, before
// any of its work is done.
func TestPrepareEditionHeartbeatsWhileItFetches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "living.md")
	if err := os.WriteFile(path, testdocs.Markdown(8<<10, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := markdown.New(markdown.Options{}).Fetch(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	gate := &gatedSource{beat: make(chan struct{}), doc: doc}
	store, err := blobstore.Open(ctx, "file://"+filepath.Join(dir, "store"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &activities.Activities{
		Sources:   sources.Registry{sources.KindMarkdown: gate},
		Taxonomy:  content.DefaultTaxonomy(),
		Renderer:  r,
		Artifacts: store,
		Platform:  &fakes.Platform{},
	}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	var once sync.Once
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { once.Do(func() { close(gate.beat) }) })
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.PrepareEdition, activitytypes.PrepareInput{Source: "markdown:living.md", Edition: "2026-W10"})
	if err != nil {
		t.Fatal(err)
	}
	var prep activitytypes.PrepareResult
	if err := v.Get(&prep); err != nil {
		t.Fatal(err)
	}
	if prep.Rendered.ContentRevision == "" || len(prep.Rendered.Variants) == 0 {
		t.Fatalf("prepared edition has no revision or no email variant: %+v", prep.Rendered)
	}
}
