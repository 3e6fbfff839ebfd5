package gdocs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/imagestore"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the converter's output")

func newSource(t *testing.T, o Options) *Source {
	t.Helper()
	s, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func golden(t *testing.T, name string, doc content.Document) {
	t.Helper()
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the converted document:\n%s", path, got)
	}
}

func TestFetchGolden(t *testing.T) {
	g := newFakeGoogle(t)
	src := newSource(t, g.options(t))
	tests := []struct{ name, id string }{
		{"weekly", "1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE"},
		{"legacy", "https://docs.google.com/document/d/1LegacyBodyOnlyDoc_aB3cD5eF7gH9iJ1kL3mN5oP/edit?tab=t.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := src.Fetch(context.Background(), tt.id)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, doc)
		})
	}
	if n := g.count("/token"); n != 1 {
		t.Errorf("token endpoint called %d times, want 1 (the token is reused)", n)
	}
}

// TestWeeklyStructure spells out the choices the golden file records.
func TestWeeklyStructure(t *testing.T) {
	g := newFakeGoogle(t)
	doc, err := newSource(t, g.options(t)).Fetch(context.Background(), "1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Halcytone Weekly" || doc.Revision == "" || doc.Source != "gdocs:1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE" {
		t.Errorf("title %q, revision %q, source %q", doc.Title, doc.Revision, doc.Source)
	}
	var headings []string
	for _, b := range doc.Blocks {
		if b.Kind == content.KindHeading {
			headings = append(headings, strings.Repeat("#", b.Level)+" "+content.Text(b.Inlines))
		}
	}
	want := "# Breathscape|# Hardware|# Tips|## Small habits|# Vision|# Appendix"
	if got := strings.Join(headings, "|"); got != want {
		t.Errorf("headings %s\nwant     %s", got, want)
	}

	nested := findList(doc.Blocks, "Guided sessions")
	if nested == nil || nested.Ordered {
		t.Fatal("no unordered list starting with Guided sessions")
	}
	third := nested.Items[0].Children[0].Items[0].Children[0]
	if third.Kind != content.KindList || content.Text(third.Items[1].Inlines) != "10 minutes" {
		t.Errorf("third level = %+v, want a list holding 10 minutes", third)
	}
	numbered := findList(doc.Blocks, "Open the app")
	if numbered == nil || !numbered.Ordered || !numbered.Items[0].Children[0].Ordered {
		t.Errorf("numbered list %+v: want ordered at every level", numbered)
	}

	var todos []string
	for _, b := range doc.Blocks {
		if b.Kind == content.KindTodo {
			todos = append(todos, content.Text(b.Inlines)+map[bool]string{true: " [x]", false: " [ ]"}[b.Checked])
		}
	}
	if got := strings.Join(todos, "|"); got != "Drink water [x]|Stretch for two minutes [ ]|Neck rolls [x]" {
		t.Errorf("todos %s", got)
	}

	last := doc.Blocks[len(doc.Blocks)-1]
	if last.Kind != content.KindList || !last.Ordered || len(last.Items) != 4 {
		t.Fatalf("last block %+v: want the 4 footnotes as a numbered list", last)
	}
	if got := content.Text(last.Items[2].Inlines); got != "Calm technology informs without demanding attention." {
		t.Errorf("footnote 3 = %q: footnotes are numbered over all tabs in order of reference", got)
	}
	warnings := strings.Join(doc.Warnings, "\n")
	for _, w := range []string{"equation at index", "kix.drawing1", "image kix.img1", "expires about 30 minutes", "image kix.pos1"} {
		if !strings.Contains(warnings, w) {
			t.Errorf("warnings lack %q:\n%s", w, warnings)
		}
	}
}

func findList(blocks []content.Block, first string) *content.Block {
	for i, b := range blocks {
		if b.Kind == content.KindList && content.Text(b.Items[0].Inlines) == first {
			return &blocks[i]
		}
	}
	return nil
}

// TestImageStore copies images to a DirStore instead of keeping the
// expiring contentUri.
func TestImageStore(t *testing.T) {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	images := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "lh7-rt.googleusercontent.com" || !strings.HasPrefix(r.URL.Path, "/docsz/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	defer images.Close()
	dir := t.TempDir()
	store := imagestore.DirStore{
		Dir: dir, BaseURL: "https://updates.halcytone.example.com/images",
		HTTPClient: &http.Client{Transport: redirectTo(images.URL)},
	}
	g := newFakeGoogle(t)
	o := g.options(t)
	o.ImageStore = store
	doc, err := newSource(t, o).Fetch(context.Background(), "1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE")
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, b := range doc.Blocks {
		if b.Kind == content.KindImage {
			urls = append(urls, b.URL)
		}
	}
	if len(urls) != 2 {
		t.Fatalf("image URLs %v, want 2", urls)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "https://updates.halcytone.example.com/images/gdocs-1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE-kix.") {
			t.Errorf("image URL %q is not in the store", u)
		}
		if _, err := os.Stat(filepath.Join(dir, strings.TrimPrefix(u, store.BaseURL+"/"))); err != nil {
			t.Errorf("stored file for %s: %v", u, err)
		}
	}
	if w := strings.Join(doc.Warnings, "\n"); strings.Contains(w, "expires") {
		t.Errorf("warnings mention expiring images although a store is set:\n%s", w)
	}
}

// redirectTo sends every request to target, keeping the path and Host.
func redirectTo(target string) http.RoundTripper {
	u, _ := url.Parse(target)
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		out := r.Clone(r.Context())
		out.Host = r.URL.Host
		out.URL.Scheme, out.URL.Host = u.Scheme, u.Host
		return http.DefaultTransport.RoundTrip(out)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestDocumentID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE", "1Hc7WeeklyLivingDoc_x9Q2rT5uV8wY0zA3bC6dE"},
		{"https://docs.google.com/document/d/1AbC-d_E/edit#heading=h.x", "1AbC-d_E"},
		{"https://docs.google.com/document/u/1/d/1AbC/view", "1AbC"},
		{" 1AbC ", "1AbC"},
	}
	for _, tt := range tests {
		if got, err := documentID(tt.in); got != tt.want || err != nil {
			t.Errorf("documentID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := documentID("../etc/passwd"); !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("documentID of a path: err = %v, want ErrNotFound", err)
	}
}
