package gdocs_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/hostile"
	"github.com/halcytone/contentgen/sources/gdocs"
)

// FuzzConvert checks that any documents.get answer converts without a
// panic into either an error wrapping sources.ErrInvalid or a document of
// clean text whose edition, when it renders, passes every hostile check.
// Its seeds in testdata/fuzz/FuzzConvert come from the hostile-document
// corpus.
func FuzzConvert(f *testing.F) {
	checker := hostile.DefaultChecker(f)
	for _, name := range []string{"weekly.json", "legacy.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checker.Converted(t, func() (content.Document, error) { return gdocs.ConvertJSON(data) })
	})
}

// TestConvertJSONMatchesFetch checks that converting an answer directly
// gives the document Fetch gives for it (recorded in testdata/golden).
func TestConvertJSONMatchesFetch(t *testing.T) {
	for _, name := range []string{"weekly", "legacy"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := gdocs.ConvertJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "golden", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("ConvertJSON differs from Fetch's golden document:\n%s", got)
			}
		})
	}
}
