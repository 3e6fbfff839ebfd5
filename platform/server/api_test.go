package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// TestCreateRejects checks every refused publish: the status, the error
// code and field, and that nothing was written.
func TestCreateRejects(t *testing.T) {
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.MaxBodyBytes = 16 << 10 })
	base := startHTTP(t, s)
	good := mustJSON(t, sampleRequest("weekly-1"))
	withField := func(field string, value any) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		m[field] = value
		return mustJSON(t, m)
	}
	tests := []struct {
		name   string
		key    string
		hdr    http.Header
		body   []byte
		status int
		code   string
		field  string
	}{
		{"no key", "", nil, good, 401, "unauthorized", ""},
		{"wrong key", "not-a-key", nil, good, 401, "unauthorized", ""},
		{"too large", testKey, nil, withField("body_html", strings.Repeat("x", 20<<10)), 413, "body_too_large", ""},
		{"unknown field", testKey, nil, withField("author", "ann"), 400, "unknown_field", "author"},
		{"wrong type", testKey, nil, withField("tags", "a,b"), 400, "invalid_field", "tags"},
		{"malformed", testKey, nil, []byte(`{"slug":`), 400, "invalid_json", ""},
		{"empty body", testKey, nil, nil, 400, "invalid_json", ""},
		{"trailing data", testKey, nil, append(append([]byte{}, good...), []byte(`{}`)...), 400, "invalid_json", ""},
		{"no slug", testKey, nil, withField("slug", ""), 400, "invalid_field", "slug"},
		{"uppercase slug", testKey, nil, withField("slug", "Weekly-1"), 400, "invalid_field", "slug"},
		{"double hyphen", testKey, nil, withField("slug", "weekly--1"), 400, "invalid_field", "slug"},
		{"slash in slug", testKey, nil, withField("slug", "a/b"), 400, "invalid_field", "slug"},
		{"long slug", testKey, nil, withField("slug", strings.Repeat("a", MaxSlugLen+1)), 400, "invalid_field", "slug"},
		{"no title", testKey, nil, withField("title", "  "), 400, "invalid_field", "title"},
		{"no body", testKey, nil, withField("body_html", ""), 400, "invalid_field", "body_html"},
		{"no edition", testKey, nil, withField("edition", ""), 400, "invalid_field", "edition"},
		{"empty tag", testKey, nil, withField("tags", []string{"a", ""}), 400, "invalid_field", "tags[1]"},
		{"long key", testKey, http.Header{"Idempotency-Key": {strings.Repeat("k", 256)}}, good, 400, "invalid_header", "Idempotency-Key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodPost, base+platform.PathUpdates, tt.key, tt.hdr, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if d := r.errorBody(t); d.Code != tt.code || d.Field != tt.field || d.Message == "" {
				t.Errorf("error %+v, want code %q field %q and a message", d, tt.code, tt.field)
			}
			if n := countUpdates(t, s.db); n != 0 {
				t.Errorf("%d updates written by a refused request", n)
			}
		})
	}
}

// TestCreateIdempotent walks one update through create, repeat, conflict
// and key reuse over HTTP.
func TestCreateIdempotent(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	url := base + platform.PathUpdates
	key := func(k string) http.Header { return http.Header{httpapi.HeaderIdempotencyKey: {k}} }
	req := sampleRequest("weekly-1")
	changed := sampleRequest("weekly-1")
	changed.Title = "A different title"

	first := do(t, http.MethodPost, url, testKey, key("k1"), mustJSON(t, req))
	var created platform.CreateResponse
	if err := json.Unmarshal(first.body, &created); err != nil || first.status != http.StatusCreated {
		t.Fatalf("create: %d %s", first.status, first.body)
	}
	if loc := first.header.Get("Location"); loc != created.URL || created.URL != "https://halcytone.example/updates/weekly-1" {
		t.Errorf("Location %q, url %q", loc, created.URL)
	}
	steps := []struct {
		name   string
		apiKey string
		hdr    http.Header
		body   platform.UpdateRequest
		status int
		code   string
	}{
		{"same key replays 201", testKey, key("k1"), req, 201, ""},
		{"new key, same content: existing", testOldKey, key("k2"), req, 200, ""},
		{"no key, same content: existing", testKey, nil, req, 200, ""},
		{"other content: conflict", testKey, key("k3"), changed, 409, platform.CodeSlugConflict},
		{"same key, other body", testKey, key("k1"), changed, 422, platform.CodeIdempotencyKeyReuse},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := do(t, http.MethodPost, url, st.apiKey, st.hdr, mustJSON(t, st.body))
			if r.status != st.status {
				t.Fatalf("status %d, want %d: %s", r.status, st.status, r.body)
			}
			if st.code != "" {
				d := r.errorBody(t)
				if d.Code != st.code || (st.status == 409 && !strings.Contains(d.Message, `"weekly-1"`)) {
					t.Errorf("error %+v, want code %s naming the slug", d, st.code)
				}
				return
			}
			var got platform.CreateResponse
			if err := json.Unmarshal(r.body, &got); err != nil || got != created {
				t.Errorf("reply %s, want %+v", r.body, created)
			}
		})
	}
	if n := countUpdates(t, s.db); n != 1 {
		t.Errorf("%d updates, want 1", n)
	}
}

func TestReadAPI(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	for _, slug := range []string{"weekly-1", "weekly-2", "weekly-3"} {
		if r := do(t, http.MethodPost, base+platform.PathUpdates, testKey, nil, mustJSON(t, sampleRequest(slug))); r.status != 201 {
			t.Fatalf("create %s: %d %s", slug, r.status, r.body)
		}
	}
	tests := []struct {
		name, path string
		status     int
		check      func(t *testing.T, body []byte)
	}{
		{"list", "/api/v1/updates?limit=2", 200, wantSlugs("weekly-3", "weekly-2")},
		{"list before", "/api/v1/updates?before=2", 200, wantSlugs("weekly-1")},
		{"list default", "/api/v1/updates", 200, wantSlugs("weekly-3", "weekly-2", "weekly-1")},
		{"limit zero", "/api/v1/updates?limit=0", 400, wantError("limit")},
		{"limit too big", "/api/v1/updates?limit=101", 400, wantError("limit")},
		{"before not a number", "/api/v1/updates?before=x", 400, wantError("before")},
		{"get", "/api/v1/updates/weekly-2", 200, func(t *testing.T, b []byte) {
			var u platform.Update
			// Read without a key: no section prints (TestSectionPrintsNeedTheKey).
			if err := json.Unmarshal(b, &u); err != nil || u.Slug != "weekly-2" || len(u.Sections) != 0 || u.BodyHTML == "" {
				t.Errorf("update %s", b)
			}
		}},
		{"get unknown", "/api/v1/updates/nope", 404, wantError("")},
		{"unknown endpoint", "/api/v1/nothing", 404, wantError("")},
		{"stats", "/api/v1/stats", 200, func(t *testing.T, b []byte) {
			var resp platform.StatsResponse
			if err := json.Unmarshal(b, &resp); err != nil || len(resp.Stats) != 4 || resp.AsOf.IsZero() {
				t.Errorf("stats %s", b)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodGet, base+tt.path, "", nil, nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			tt.check(t, r.body)
		})
	}
}

func wantSlugs(want ...string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var list platform.UpdateList
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		if got := slugs(list.Updates); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("slugs %v, want %v", got, want)
		}
	}
}

func wantError(field string) func(t *testing.T, body []byte) {
	return func(t *testing.T, body []byte) {
		t.Helper()
		var eb httpapi.ErrorBody
		if err := json.Unmarshal(body, &eb); err != nil || eb.Error.Code == "" || eb.Error.Field != field {
			t.Errorf("error body %s, want a code and field %q", body, field)
		}
	}
}
