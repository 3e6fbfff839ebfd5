package render_test

import (
	"testing"

	"github.com/halcytone/contentgen/hostile"
	"github.com/halcytone/contentgen/sources/markdown"
)

// FuzzRender takes Markdown through conversion, parsing and rendering and
// checks that nothing panics and that every edition that renders is safe:
// no script, event handler or unsafe URL in any markup, no document text
// read as a merge tag, no control characters, one-line subjects (see
// hostile.Checker). Its seeds in testdata/fuzz/FuzzRender come from the
// hostile-document corpus.
func FuzzRender(f *testing.F) {
	checker := hostile.DefaultChecker(f)
	f.Add([]byte("# Halcytone Weekly\n\n## Tips [for: beta]\n\n[x](javascript:alert(1)) {{ .Foo }} <script>alert(2)</script>\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		var problems []string
		hostile.Within(t, hostile.FuzzTimeout, func() {
			if doc, err := markdown.Convert(src); err == nil {
				problems = checker.Document(doc) // parses and renders it
			}
		})
		for _, p := range problems {
			t.Error(p)
		}
	})
}
