package templates

import (
	"io/fs"
	"slices"
	"testing"
)

func TestNamesMatchEmbeddedFiles(t *testing.T) {
	embedded, err := fs.Glob(FS(), "*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	names := Names()
	for _, f := range embedded {
		if !slices.Contains(names, f) {
			t.Errorf("%s is embedded but not in Names, so no renderer ever uses it", f)
		}
	}
	for _, n := range names {
		if b, err := fs.ReadFile(FS(), n); err != nil || len(b) == 0 {
			t.Errorf("%s: not embedded or empty (%v)", n, err)
		}
	}
}

func TestAINamesMatchEmbeddedFiles(t *testing.T) {
	embedded, err := fs.Glob(AIFS(), "*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(embedded, slices.Sorted(slices.Values(AINames()))) {
		t.Errorf("embedded prompt templates %v, AINames %v", embedded, AINames())
	}
}
