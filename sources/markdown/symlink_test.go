package markdown

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// TestFolderRefusesLinksOut checks a folder document does not read a file
// a symlink in it points to outside the folder, while a link to a file
// inside it still reads.
func TestFolderRefusesLinksOut(t *testing.T) {
	base := t.TempDir()
	secret := filepath.Join(base, "secret.md")
	if err := os.WriteFile(secret, []byte("## Secret\n\nroot:x:0:0 private text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "edition")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "01-tips.md"), []byte("# Tips\n\nBreathe out slowly.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("01-tips.md", filepath.Join(dir, "02-again.md")); err != nil {
		t.Fatal(err)
	}
	src := New(Options{})
	doc, err := src.Fetch(context.Background(), dir)
	if err != nil {
		t.Fatalf("a link inside the folder: %v", err)
	}
	if n := strings.Count(content.PlainText(doc.Blocks), "Breathe out slowly"); n < 2 {
		t.Errorf("the link inside the folder was not read (%d copies)", n)
	}

	for name, target := range map[string]string{"03-absolute.md": secret, "04-relative.md": "../secret.md"} {
		link := filepath.Join(dir, name)
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
		doc, err := src.Fetch(context.Background(), dir)
		if err == nil || !errors.Is(err, sources.ErrInvalid) || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "outside the folder") {
			t.Errorf("%s → %s: err = %v; want ErrInvalid naming the link and saying it leaves the folder", name, target, err)
		}
		if strings.Contains(content.PlainText(doc.Blocks), "private text") {
			t.Errorf("%s: the file outside the folder was read", name)
		}
		if err := os.Remove(link); err != nil {
			t.Fatal(err)
		}
	}
}
