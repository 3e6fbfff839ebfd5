package notion

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	testToken = "ntn_4f2a9c1e7b3d5f8a0c2e4b6d8f1a3c5e7b9d0f2a4c"
	weeklyID  = "940fd74a-8b7d-44ad-b517-2009b87b2277"
	longID    = "1aacbeaa-1ac4-4bea-bcb6-4b82dd6cc49c"
)

// reply is one scripted answer.
type reply struct {
	status int
	header http.Header
	body   string
}

// notionError is an error body as the Notion API sends it.
func notionError(status int, code, message string) string {
	b, _ := json.Marshal(map[string]any{
		"object": "error", "status": status, "code": code, "message": message,
		"request_id": "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
	})
	return string(b)
}

// fakeNotion serves pages and block children from testdata, paginating
// children like the API does, under / and under /proxy/.
type fakeNotion struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	scripted map[string][]reply // by request path, served before fixtures
	requests []string           // path?query of every request
}

func newFakeNotion(t *testing.T) *fakeNotion {
	f := &fakeNotion{t: t, scripted: map[string][]reply{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/pages/{id}", f.page)
	mux.HandleFunc("GET /v1/blocks/{id}/children", f.children)
	root := http.NewServeMux()
	root.Handle("/proxy/", http.StripPrefix("/proxy", mux))
	root.Handle("/", mux)
	f.srv = httptest.NewServer(root)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNotion) script(path string, replies ...reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripted[path] = append(f.scripted[path], replies...)
}

func (f *fakeNotion) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// admit records the request, checks its headers and serves a scripted
// answer if one is queued; it reports whether the request is answered.
func (f *fakeNotion) admit(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	queue := f.scripted[r.URL.Path]
	var rep *reply
	if len(queue) > 0 {
		rep, f.scripted[r.URL.Path] = &queue[0], queue[1:]
	}
	f.mu.Unlock()
	if r.Header.Get("Notion-Version") == "" {
		f.t.Errorf("%s: no Notion-Version header", r.URL.Path)
	}
	switch {
	case rep != nil:
		for k, v := range rep.header {
			w.Header()[k] = v
		}
		if rep.header.Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(rep.status)
		_, _ = w.Write([]byte(rep.body))
	case r.Header.Get("Authorization") != "Bearer "+testToken:
		writeJSON(w, 401, notionError(401, "unauthorized", "API token is invalid."))
	default:
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (f *fakeNotion) page(w http.ResponseWriter, r *http.Request) {
	if f.admit(w, r) {
		return
	}
	id := r.PathValue("id")
	b, err := os.ReadFile(filepath.Join("testdata", "pages", id+".json"))
	if err != nil {
		writeJSON(w, 404, notionError(404, "object_not_found",
			"Could not find page with ID: "+id+". Make sure the relevant pages and databases are shared with your integration."))
		return
	}
	writeJSON(w, 200, string(b))
}

// children answers "retrieve block children" from the full list in
// testdata/blocks/<id>.json, honouring page_size and start_cursor.
func (f *fakeNotion) children(w http.ResponseWriter, r *http.Request) {
	if f.admit(w, r) {
		return
	}
	id := r.PathValue("id")
	b, err := os.ReadFile(filepath.Join("testdata", "blocks", id+".json"))
	if err != nil {
		writeJSON(w, 404, notionError(404, "object_not_found",
			"Could not find block with ID: "+id+". Make sure the relevant pages and databases are shared with your integration."))
		return
	}
	var list map[string]any
	if err := json.Unmarshal(b, &list); err != nil {
		f.t.Fatalf("fixture %s: %v", id, err)
	}
	results := list["results"].([]any)
	size := 100
	if s := r.URL.Query().Get("page_size"); s != "" {
		size, _ = strconv.Atoi(s)
	}
	if size < 1 || size > 100 {
		writeJSON(w, 400, notionError(400, "validation_error", "body failed validation: body.page_size should be ≤ `100`."))
		return
	}
	start := 0
	if cursor := r.URL.Query().Get("start_cursor"); cursor != "" {
		start = -1
		for i, res := range results {
			if res.(map[string]any)["id"] == cursor {
				start = i
			}
		}
		if start < 0 {
			writeJSON(w, 400, notionError(400, "validation_error", "start_cursor provided is invalid: "+cursor))
			return
		}
	}
	end := min(start+size, len(results))
	list["results"] = results[start:end]
	list["has_more"] = end < len(results)
	list["next_cursor"] = nil
	if end < len(results) {
		list["next_cursor"] = results[end].(map[string]any)["id"]
	}
	out, _ := json.Marshal(list)
	writeJSON(w, 200, string(out))
}

// count returns how many logged requests contain all of parts.
func count(log []string, parts ...string) int {
	n := 0
	for _, l := range log {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			n++
		}
	}
	return n
}

func (f *fakeNotion) options() Options {
	return Options{Token: testToken, BaseURL: f.srv.URL, RequestsPerSecond: 1000}
}
