package notion

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
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/imagestore"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the converter's output")

func newSource(t *testing.T, o Options) *Source {
	t.Helper()
	s, err := New(o)
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
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
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

func fetch(t *testing.T, o Options, id string) content.Document {
	t.Helper()
	doc, err := newSource(t, o).Fetch(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestFetchGolden(t *testing.T) {
	f := newFakeNotion(t)
	golden(t, "weekly", fetch(t, f.options(), weeklyID))
}

// TestWeeklyStructure spells out the choices the golden file records.
func TestWeeklyStructure(t *testing.T) {
	f := newFakeNotion(t)
	doc := fetch(t, f.options(), "https://www.notion.so/halcytone/Halcytone-Weekly-48-940fd74a8b7d44adb5172009b87b2277?pvs=4")
	if doc.Title != "Halcytone Weekly 48" || doc.Revision != "2026-11-24T16:42:00Z" || doc.Source != "notion:"+weeklyID {
		t.Errorf("title %q, revision %q, source %q", doc.Title, doc.Revision, doc.Source)
	}
	texts := map[string]bool{}
	var walk func([]content.Block)
	walk = func(bs []content.Block) {
		for _, b := range bs {
			texts[string(b.Kind)+":"+content.Text(b.Inlines)] = true
			walk(b.Children)
			for _, it := range b.Items {
				texts["item:"+content.Text(it.Inlines)] = true
				walk(it.Children)
			}
		}
	}
	walk(doc.Blocks)
	for _, want := range []string{
		"paragraph:Breathe well, the Halcytone team", // synced block copied from the brand page
		"paragraph:Brand guidelines",                 // link_to_page titled by the linked page
		"paragraph:Linked Notion page",               // link to a page the integration cannot read
		"paragraph:Is it free? Yes.",                 // toggleable heading's content
		"toggle:How it works",                        // toggle summary, its content inside
		"paragraph:Inhale, hold, exhale, hold.",      // the toggle's content
		"item:☐ Stretch for two minutes",             // a to-do with nested blocks is a list item
		"paragraph:Neck and shoulders.",              // nested under that item
		"paragraph:48.mp3",                           // audio, kept as a link to the file
		"item:10 minutes",                            // third nesting level
		"paragraph:Left column", "paragraph:Right column",
		"paragraph:Archive", "paragraph:Subscribers",
	} {
		if !texts[want] {
			t.Errorf("converted page lacks %q", want)
		}
	}
	warnings := strings.Join(doc.Warnings, "\n")
	for _, want := range []string{
		"unsupported Notion block unsupported (",
		"unsupported Notion block ai_block (",
		"synced block ", "b305bb8c-6469-410e-85e7-60c980827550", // original not shared
		"image block ", "expires one hour after the fetch",
	} {
		if !strings.Contains(warnings, want) {
			t.Errorf("warnings lack %q:\n%s", want, warnings)
		}
	}
	if strings.Contains(warnings, "table_of_contents") || strings.Contains(warnings, "breadcrumb") {
		t.Errorf("navigation blocks should be left out silently:\n%s", warnings)
	}
	if n := count(f.log(), "/children", "page_size=100"); n != len(f.log())-3 {
		t.Errorf("%d of %d requests list children with page_size=100; want all but the 3 page reads", n, len(f.log()))
	}
}

func TestPagination(t *testing.T) {
	f := newFakeNotion(t)
	doc := fetch(t, f.options(), longID)
	if len(doc.Blocks) != 131 {
		t.Fatalf("%d blocks, want 130 paragraphs and the toggle", len(doc.Blocks))
	}
	for i, want := range map[int]string{0: "Paragraph 1", 58: "Paragraph 59", 59: "Archive of tips", 60: "Paragraph 60", 130: "Paragraph 130"} {
		if got := content.Text(doc.Blocks[i].Inlines); got != want {
			t.Errorf("block %d = %q, want %q", i, got, want)
		}
	}
	toggle := doc.Blocks[59]
	if toggle.Kind != content.KindToggle || len(toggle.Children) != 1 {
		t.Fatalf("block 59 is %s with %d children, want the toggle holding its list", toggle.Kind, len(toggle.Children))
	}
	list := toggle.Children[0]
	if list.Kind != content.KindList || len(list.Items) != 105 || content.Text(list.Items[104].Inlines) != "Tip 105" {
		t.Errorf("toggle content: %s with %d items, want the 105 tips in one list", list.Kind, len(list.Items))
	}
	if n := count(f.log(), "start_cursor="); n != 2 {
		t.Errorf("%d requests continued with a cursor, want 2 (the page's and the toggle's second page):\n%s", n, strings.Join(f.log(), "\n"))
	}
}

func TestBaseURLPathPrefix(t *testing.T) {
	f := newFakeNotion(t)
	o := f.options()
	o.BaseURL = f.srv.URL + "/proxy/"
	fetch(t, o, longID)
	for _, l := range f.log() {
		if !strings.HasPrefix(l, "/v1/") {
			t.Errorf("request %s did not go through the /proxy prefix", l)
		}
	}
	if _, err := New(Options{Token: "x", BaseURL: "api.notion.com"}); err == nil {
		t.Error("a base URL without scheme was accepted")
	}
}

func TestRequestsArePaced(t *testing.T) {
	f := newFakeNotion(t)
	o := f.options()
	o.RequestsPerSecond = 10
	start := time.Now()
	fetch(t, o, weeklyID)
	n := len(f.log())
	// A burst of 10, then 10 a second.
	if want := time.Duration(n-10) * 100 * time.Millisecond; time.Since(start) < want-50*time.Millisecond {
		t.Errorf("%d requests took %v, want at least %v at 10 a second", n, time.Since(start), want)
	}
}

func TestImageStore(t *testing.T) {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Host != "prod-files-secure.s3.us-west-2.amazonaws.com" || r.URL.Query().Get("X-Amz-Signature") == "":
			http.NotFound(w, r)
		case strings.HasSuffix(r.URL.Path, ".png"):
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(buf.Bytes())
		case strings.HasSuffix(r.URL.Path, ".pdf"):
			w.Header().Set("Content-Type", "application/pdf")
			_, _ = w.Write([]byte("%PDF-1.7"))
		default:
			w.Header().Set("Content-Type", "video/mp4")
			_, _ = w.Write([]byte("video"))
		}
	}))
	defer files.Close()
	dir := t.TempDir()
	f := newFakeNotion(t)
	o := f.options()
	o.ImageStore = imagestore.DirStore{
		Dir: dir, BaseURL: "https://updates.halcytone.example.com/files",
		HTTPClient: &http.Client{Transport: redirectTo(files.URL)},
		// PDF is asked for, yet the store keeps only raster images: a
		// PDF can carry script.
		ContentTypes: []string{"image/", "application/pdf"},
	}
	doc := fetch(t, o, weeklyID)
	stored := 0
	var walk func([]content.Block)
	walk = func(bs []content.Block) {
		for _, b := range bs {
			for _, u := range []string{b.URL, linkOf(b)} {
				if strings.Contains(u, "amazonaws.com") && !strings.Contains(u, "unboxing.mp4") && !strings.Contains(u, "band-spec.pdf") {
					t.Errorf("%s block still links the expiring URL %s", b.Kind, u)
				}
				if strings.HasPrefix(u, "https://updates.halcytone.example.com/files/notion-") {
					stored++
				}
			}
			walk(b.Children)
		}
	}
	walk(doc.Blocks)
	if stored != 2 {
		t.Errorf("%d links point into the store, want 2 (the two images)", stored)
	}
	warnings := strings.Join(doc.Warnings, "\n")
	if !strings.Contains(warnings, `content type "video/mp4"`) || !strings.Contains(warnings, `content type "application/pdf"`) ||
		strings.Count(warnings, "expires one hour") != 2 {
		t.Errorf("want one warning each for the PDF and the video the store refuses:\n%s", warnings)
	}
}

func linkOf(b content.Block) string {
	if len(b.Inlines) == 0 {
		return ""
	}
	return b.Inlines[0].Link
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

func TestPageID(t *testing.T) {
	const want = "940fd74a-8b7d-44ad-b517-2009b87b2277"
	for _, in := range []string{
		want,
		"940fd74a8b7d44adb5172009b87b2277",
		" 940FD74A8B7D44ADB5172009B87B2277 ",
		"https://www.notion.so/Halcytone-Weekly-48-940fd74a8b7d44adb5172009b87b2277",
		"https://www.notion.so/team/940fd74a8b7d44adb5172009b87b2277?v=1&pvs=4#section",
	} {
		if got, err := pageID(in); got != want || err != nil {
			t.Errorf("pageID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "weekly", "https://www.notion.so/", "940fd74a8b7d44adb5172009b87b227z"} {
		if _, err := pageID(in); !errors.Is(err, sources.ErrNotFound) {
			t.Errorf("pageID(%q): err = %v, want ErrNotFound", in, err)
		}
	}
}
