package notion_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/hostile"
	"github.com/halcytone/contentgen/sources/notion"
)

const weeklyID = "940fd74a-8b7d-44ad-b517-2009b87b2277"

// FuzzConvert checks that any page and block list convert without a panic
// into either an error wrapping sources.ErrInvalid or a document of clean
// text whose edition, when it renders, passes every hostile check. Its
// seeds in testdata/fuzz/FuzzConvert come from the hostile-document corpus.
func FuzzConvert(f *testing.F) {
	checker := hostile.DefaultChecker(f)
	page, blocks := readInline(f, weeklyID)
	f.Add(page, blocks)
	f.Fuzz(func(t *testing.T, page, blocks []byte) {
		checker.Converted(t, func() (content.Document, error) { return notion.ConvertJSON(page, blocks) })
	})
}

// readInline reads a page of testdata and its block tree, each block's
// children inlined in its type object as ConvertJSON reads them.
func readInline(tb testing.TB, id string) (page, blocks []byte) {
	tb.Helper()
	page, err := os.ReadFile(filepath.Join("testdata", "pages", id+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	list := map[string]any{"object": "list", "results": inlineChildren(tb, id), "has_more": false}
	blocks, err = json.Marshal(list)
	if err != nil {
		tb.Fatal(err)
	}
	return page, blocks
}

func inlineChildren(tb testing.TB, id string) []any {
	data, err := os.ReadFile(filepath.Join("testdata", "blocks", id+".json"))
	if err != nil {
		return nil
	}
	var list struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		tb.Fatal(err)
	}
	out := make([]any, 0, len(list.Results))
	for _, b := range list.Results {
		typ, _ := b["type"].(string)
		body, _ := b[typ].(map[string]any)
		if has, _ := b["has_children"].(bool); has && body != nil {
			if kids := inlineChildren(tb, b["id"].(string)); kids != nil {
				body["children"] = kids
			}
		}
		out = append(out, b)
	}
	return out
}

// TestConvertJSONMatchesFetch checks that the weekly page, converted from
// its answers directly, gives the blocks Fetch gives (recorded in
// testdata/golden) but for what only Fetch can read: the titles of linked
// pages and the content of a synced block's original.
func TestConvertJSONMatchesFetch(t *testing.T) {
	doc, err := notion.ConvertJSON(readInline(t, weeklyID))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "golden", "weekly.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want content.Document
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if doc.Title != want.Title || doc.Revision != want.Revision || doc.Source != want.Source {
		t.Errorf("title %q, revision %q, source %q; Fetch gives %q, %q, %q", doc.Title, doc.Revision, doc.Source, want.Title, want.Revision, want.Source)
	}
	// What only Fetch reads: the synced block's original, and a title.
	var blocks []content.Block
	for _, b := range want.Blocks {
		switch content.Text(b.Inlines) {
		case "Breathe well, the Halcytone team":
			continue
		case "Brand guidelines":
			b.Inlines[0].Text = "Linked Notion page"
		}
		blocks = append(blocks, b)
	}
	if !reflect.DeepEqual(doc.Blocks, blocks) {
		got, _ := json.MarshalIndent(doc.Blocks, "", "  ")
		t.Errorf("blocks differ from Fetch's:\n%s", got)
	}
	if !slices.ContainsFunc(doc.Warnings, func(w string) bool { return strings.Contains(w, "whose content is not in the JSON") }) {
		t.Errorf("no warning about the synced block; warnings %q", doc.Warnings)
	}
}
