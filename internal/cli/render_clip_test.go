package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/internal/testdocs"
)

// TestRenderWarnsOfGmailClipping renders a document whose email is over
// Gmail's clip size and checks the warning names the size and sections.
func TestRenderWarnsOfGmailClipping(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "big.md")
	if err := os.WriteFile(doc, testdocs.Markdown(150<<10, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	e := &Env{Lookup: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}
	err := Run(context.Background(), e, []string{"render", "--source", "markdown:" + doc, "--edition", "2026-W48", "--out", filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"warning: email variant", "Gmail clips messages over 102 KB", "largest sections: ", "Hardware ("} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}
