package markdown_test

import (
	"errors"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/hostile"
	"github.com/halcytone/contentgen/sources"
	"github.com/halcytone/contentgen/sources/markdown"
)

// FuzzConvert checks that any bytes convert without a panic into either an
// error wrapping sources.ErrInvalid or a document of clean text. Its seeds
// in testdata/fuzz/FuzzConvert come from the hostile-document corpus.
func FuzzConvert(f *testing.F) {
	f.Add([]byte("# Halcytone Weekly\n\n## Tips\n\n- [x] breathe\n\n> [!NOTE]\n> <b>hi</b> {{first_name}}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		var doc content.Document
		var err error
		hostile.Within(t, hostile.FuzzTimeout, func() { doc, err = markdown.Convert(src) })
		if err != nil {
			if !errors.Is(err, sources.ErrInvalid) {
				t.Fatalf("error %v does not wrap sources.ErrInvalid", err)
			}
			return
		}
		for _, p := range hostile.DocumentProblems(doc) {
			t.Error(p)
		}
	})
}
