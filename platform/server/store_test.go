package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/halcytone/contentgen/platform"
)

// The same store tests run on SQLite and on PostgreSQL.
func TestStore(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, s *Server)
	}{
		{"publish and read back", testRoundTrip},
		{"same slug and content returns the existing update", testRepublish},
		{"same slug with other content is a conflict", testConflict},
		{"idempotency key replays the first reply", testIdempotencyKey},
		{"list pages newest first", testListPaging},
		{"concurrent publishes of one slug make one row", testConcurrentPublish},
		{"stats are seeded, set and added", testStats},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					s := newTestServer(t, db, nil)
					if _, err := db.Exec(`DELETE FROM idempotency_keys; DELETE FROM updates`); err != nil {
						t.Fatal(err)
					}
					tt.run(t, s)
				})
			}
		})
	}
}

func mustCreate(t *testing.T, s *Server, key string, req platform.UpdateRequest) created {
	t.Helper()
	res, err := s.create(context.Background(), key, &req)
	if err != nil {
		t.Fatalf("create %s: %v", req.Slug, err)
	}
	return res
}

func testRoundTrip(t *testing.T, s *Server) {
	ctx := context.Background()
	req := sampleRequest("2026-w48-halcytone-weekly")
	before := time.Now().Add(-time.Second)
	res := mustCreate(t, s, "", req)
	if res.code != http.StatusCreated || res.reply.ID == 0 || res.reply.Slug != req.Slug ||
		res.reply.URL != "https://halcytone.example/updates/2026-w48-halcytone-weekly" {
		t.Fatalf("create reply %d %+v", res.code, res.reply)
	}
	got, found, err := s.getUpdate(ctx, req.Slug)
	if err != nil || !found {
		t.Fatalf("get: found=%v err=%v", found, err)
	}
	want := platform.Update{
		ID: res.reply.ID, Slug: req.Slug, URL: res.reply.URL, Title: req.Title, Summary: req.Summary,
		BodyHTML: req.BodyHTML, BodyMarkdown: req.BodyMarkdown, Tags: req.Tags, Edition: req.Edition,
		SourceRevision: req.SourceRevision, Sections: req.Sections, PublishedAt: got.PublishedAt,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n got %+v\nwant %+v", got, want)
	}
	if got.PublishedAt.Before(before) || got.PublishedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("published_at %s is not now", got.PublishedAt)
	}
	if _, found, err := s.getUpdate(ctx, "no-such-update"); found || err != nil {
		t.Errorf("unknown slug: found=%v err=%v", found, err)
	}
}

func testRepublish(t *testing.T, s *Server) {
	req := sampleRequest("weekly-1")
	first := mustCreate(t, s, "", req)
	// Sections are not content: a re-render with new fingerprints of the
	// same text is the same update.
	req.Sections = nil
	again := mustCreate(t, s, "", req)
	if again.code != http.StatusOK || again.reply != first.reply {
		t.Errorf("republish: %d %+v, want 200 %+v", again.code, again.reply, first.reply)
	}
	if n := countUpdates(t, s.db); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
}

func testConflict(t *testing.T, s *Server) {
	req := sampleRequest("weekly-1")
	mustCreate(t, s, "", req)
	changes := map[string]func(*platform.UpdateRequest){
		"title":    func(r *platform.UpdateRequest) { r.Title += "!" },
		"summary":  func(r *platform.UpdateRequest) { r.Summary = "" },
		"html":     func(r *platform.UpdateRequest) { r.BodyHTML += "<p>more</p>" },
		"markdown": func(r *platform.UpdateRequest) { r.BodyMarkdown += "more" },
		"tags":     func(r *platform.UpdateRequest) { r.Tags = r.Tags[:1] },
		"edition":  func(r *platform.UpdateRequest) { r.Edition = "2026-W49" },
		"revision": func(r *platform.UpdateRequest) { r.SourceRevision = "rev-43" },
	}
	for name, change := range changes {
		changed := sampleRequest("weekly-1")
		change(&changed)
		if _, err := s.create(context.Background(), "", &changed); !errors.Is(err, errSlugConflict) {
			t.Errorf("changed %s: err %v, want a slug conflict", name, err)
		}
	}
	got, _, err := s.getUpdate(context.Background(), "weekly-1")
	if err != nil || got.Title != req.Title || got.SourceRevision != req.SourceRevision {
		t.Errorf("stored update changed: %+v %v", got, err)
	}
}

func testIdempotencyKey(t *testing.T, s *Server) {
	ctx := context.Background()
	req := sampleRequest("weekly-1")
	first := mustCreate(t, s, "newsletter-2026-W48:publish", req)
	again := mustCreate(t, s, "newsletter-2026-W48:publish", req)
	if again.reply != first.reply || again.code != http.StatusCreated || !again.replayed {
		t.Errorf("repeated key: %+v, want the first reply %+v", again, first)
	}
	other := sampleRequest("weekly-2")
	if _, err := s.create(ctx, "newsletter-2026-W48:publish", &other); !errors.Is(err, errKeyReused) {
		t.Errorf("key with another body: %v, want errKeyReused", err)
	}
	if n := countUpdates(t, s.db); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	// A rejected request leaves no key behind: after the conflict, the key
	// is still free for a good request.
	conflicting := sampleRequest("weekly-1")
	conflicting.Title = "Another title"
	if _, err := s.create(ctx, "key-2", &conflicting); !errors.Is(err, errSlugConflict) {
		t.Fatalf("conflict: %v", err)
	}
	if res := mustCreate(t, s, "key-2", other); res.code != http.StatusCreated {
		t.Errorf("key after a rejected request: %+v, want 201", res)
	}
}

func testListPaging(t *testing.T, s *Server) {
	ctx := context.Background()
	var ids []int64
	for i := 1; i <= 5; i++ {
		ids = append(ids, mustCreate(t, s, "", sampleRequest(fmt.Sprintf("weekly-%d", i))).reply.ID)
	}
	page, err := s.listUpdates(ctx, 0, 2)
	if err != nil || len(page) != 2 || page[0].ID != ids[4] || page[1].ID != ids[3] {
		t.Fatalf("first page %v %v, want ids %d, %d", slugs(page), err, ids[4], ids[3])
	}
	page, err = s.listUpdates(ctx, page[1].ID, 10)
	if err != nil || len(page) != 3 || page[0].Slug != "weekly-3" || page[2].Slug != "weekly-1" {
		t.Fatalf("second page %v %v, want weekly-3..1", slugs(page), err)
	}
	if page, err := s.listUpdates(ctx, ids[0], 10); err != nil || len(page) != 0 {
		t.Errorf("past the oldest: %v %v, want none", slugs(page), err)
	}
}

func slugs(us []platform.Update) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Slug)
	}
	return out
}

func testConcurrentPublish(t *testing.T, s *Server) {
	req := sampleRequest("weekly-1")
	const n = 8
	var wg sync.WaitGroup
	results := make([]created, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			r := req
			results[i], errs[i] = s.create(context.Background(), "", &r)
		})
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("publish %d: %v", i, errs[i])
		}
		if results[i].reply != results[0].reply {
			t.Errorf("publish %d replied %+v, others %+v", i, results[i].reply, results[0].reply)
		}
		if results[i].code == http.StatusCreated {
			created++
		}
	}
	if created != 1 || countUpdates(t, s.db) != 1 {
		t.Errorf("%d replies were 201 and %d rows exist, want 1 and 1", created, countUpdates(t, s.db))
	}
}
