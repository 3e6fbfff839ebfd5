package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/sqldb"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/platform/server"
)

const apiKey = "contract-key"

// startPlatform runs the reference server on SQLite and returns it with a
// client holding key.
func startPlatform(t *testing.T, key string) (*server.Server, *platform.Client) {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "platform.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := server.New(server.Config{DB: db, Keys: httpapi.NewKeys(apiKey), PublicURL: "https://halcytone.example"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, platform.New(platform.Options{BaseURL: hs.URL, APIKey: key, Timeout: 10 * time.Second})
}

func request(slug, title string) platform.UpdateRequest {
	return platform.UpdateRequest{
		Slug: slug, Title: title, Summary: "Two sections this week.",
		BodyHTML: "<article><section><h2>Tips</h2><p>Exhale longer than you inhale.</p></section></article>", BodyMarkdown: "## Tips\n\nExhale longer than you inhale.\n",
		Tags: []string{"tips"}, Edition: "2026-W48", SourceRevision: "r7",
		Sections: []content.SectionPrint{{Key: "tips", Heading: "Tips", Fingerprint: "abc", Text: "Exhale longer than you inhale."}},
	}
}

func TestClientPublishAndRead(t *testing.T) {
	ctx := context.Background()
	_, c := startPlatform(t, apiKey)

	if _, ok, err := c.LatestUpdate(ctx); ok || err != nil {
		t.Fatalf("LatestUpdate on an empty Platform: ok=%v err=%v", ok, err)
	}
	req := request("2026-w48-weekly", "Weekly")
	first, err := c.CreateUpdate(ctx, "newsletter-2026-W48:publish", req)
	if err != nil || first.ID == 0 || first.URL != "https://halcytone.example/updates/2026-w48-weekly" {
		t.Fatalf("CreateUpdate: %+v %v", first, err)
	}
	again, err := c.CreateUpdate(ctx, "", req)
	if err != nil || again != first {
		t.Errorf("republish: %+v %v, want %+v", again, err, first)
	}
	got, err := c.GetUpdate(ctx, req.Slug)
	if err != nil {
		t.Fatal(err)
	}
	want := platform.Update{ID: first.ID, Slug: req.Slug, URL: first.URL, Title: req.Title, Summary: req.Summary,
		BodyHTML: req.BodyHTML, BodyMarkdown: req.BodyMarkdown, Tags: req.Tags, Edition: req.Edition,
		SourceRevision: req.SourceRevision, Sections: req.Sections, PublishedAt: got.PublishedAt}
	if !reflect.DeepEqual(got, want) || time.Since(got.PublishedAt) > time.Minute {
		t.Errorf("GetUpdate\n got %+v\nwant %+v", got, want)
	}

	second, err := c.CreateUpdate(ctx, "", request("2026-w49-weekly", "Weekly 49"))
	if err != nil {
		t.Fatal(err)
	}
	latest, ok, err := c.LatestUpdate(ctx)
	if err != nil || !ok || latest.ID != second.ID || len(latest.Sections) != 1 {
		t.Errorf("LatestUpdate: %+v ok=%v err=%v, want update %d with its sections", latest, ok, err, second.ID)
	}
	list, err := c.ListUpdates(ctx, 10)
	if err != nil || len(list) != 2 || list[0].Slug != "2026-w49-weekly" || list[1].Slug != "2026-w48-weekly" {
		t.Errorf("ListUpdates: %d updates %v", len(list), err)
	}
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()
	_, c := startPlatform(t, apiKey)
	if _, err := c.CreateUpdate(ctx, "", request("weekly", "Weekly")); err != nil {
		t.Fatal(err)
	}
	_, wrongKey := startPlatform(t, "not-the-key")

	tests := []struct {
		name      string
		call      func() error
		status    int
		sentinel  error
		retryable bool
	}{
		{"changed content", func() error {
			_, err := c.CreateUpdate(ctx, "", request("weekly", "Another title"))
			return err
		}, http.StatusConflict, platform.ErrSlugConflict, true},
		{"unknown slug", func() error {
			_, err := c.GetUpdate(ctx, "nope")
			return err
		}, http.StatusNotFound, platform.ErrNotFound, false},
		{"invalid slug", func() error {
			_, err := c.CreateUpdate(ctx, "", request("Not A Slug", "Weekly"))
			return err
		}, http.StatusBadRequest, nil, false},
		{"reused idempotency key", func() error {
			if _, err := c.CreateUpdate(ctx, "k", request("weekly-2", "Two")); err != nil {
				return err
			}
			_, err := c.CreateUpdate(ctx, "k", request("weekly-3", "Three"))
			return err
		}, http.StatusUnprocessableEntity, nil, false},
		{"wrong key", func() error {
			_, err := wrongKey.CreateUpdate(ctx, "", request("weekly", "Weekly"))
			return err
		}, http.StatusUnauthorized, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			se, ok := httpapi.AsStatusError(err)
			if !ok || se.StatusCode != tt.status || se.Retryable() != tt.retryable {
				t.Fatalf("error %v, want a StatusError %d (retryable %v)", err, tt.status, tt.retryable)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tt.sentinel)
			}
			if errors.Is(err, platform.ErrSlugConflict) != (tt.sentinel == platform.ErrSlugConflict) {
				t.Errorf("error %v: ErrSlugConflict match is wrong", err)
			}
		})
	}
}

func TestClientStats(t *testing.T) {
	ctx := context.Background()
	srv, c := startPlatform(t, "")
	stats, err := c.Stats(ctx)
	if err != nil || len(stats) != 4 || stats[0].Key != "active_breathers" || stats[0].Label == "" {
		t.Fatalf("seeded stats: %+v %v", stats, err)
	}
	if err := srv.SetStats(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if stats, err := c.Stats(ctx); stats != nil || err != nil {
		t.Errorf("no figures: %+v %v, want nil, nil", stats, err)
	}

	// A Platform without the stats endpoint has no figures; one that fails
	// is an error.
	for status, wantErr := range map[int]bool{http.StatusNotFound: false, http.StatusInternalServerError: true} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteError(w, status, "x", "", "status %d", status)
		}))
		stats, err := platform.New(platform.Options{BaseURL: hs.URL}).Stats(ctx)
		hs.Close()
		if stats != nil || (err != nil) != wantErr {
			t.Errorf("HTTP %d: %+v %v, want error %v", status, stats, err, wantErr)
		}
	}
}
