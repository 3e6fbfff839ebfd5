package markdown

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

func examples() *Source {
	return New(Options{BaseDir: filepath.Join("..", "..", "examples")})
}

func parse(t *testing.T, d content.Document) content.Parsed {
	t.Helper()
	p, err := content.Parse(d, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFetchFile(t *testing.T) {
	d, err := examples().Fetch(context.Background(), "living-document.md")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", "living-document.md"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if want := "sha256:" + hex.EncodeToString(sum[:]); d.Revision != want {
		t.Errorf("revision %q, want %q", d.Revision, want)
	}
	p := parse(t, d)
	if p.Title != "Halcytone Weekly — Breathe Easier" || len(p.Intro) != 1 || len(p.Warnings) != 0 {
		t.Errorf("title %q, intro %d blocks, warnings %q", p.Title, len(p.Intro), p.Warnings)
	}
	var got []string
	for _, s := range p.Sections {
		got = append(got, s.Category+"="+s.Heading+strings.Join(s.Segments, ","))
	}
	want := []string{"breathscape=🌬️ Breathscape", "hardware=Hardwarebeta", "tips=Tips", "vision=Vision"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sections %q, want %q", got, want)
	}
}

// The folder example holds the same newsletter one file per section, so it
// must parse to the same title, intro and section fingerprints.
func TestFetchFolderMatchesFile(t *testing.T) {
	src := examples()
	file, err := src.Fetch(context.Background(), "living-document.md")
	if err != nil {
		t.Fatal(err)
	}
	folder, err := src.Fetch(context.Background(), "sections")
	if err != nil {
		t.Fatal(err)
	}
	pf, pd := parse(t, file), parse(t, folder)
	if pd.Title != pf.Title || !reflect.DeepEqual(pd.Intro, pf.Intro) {
		t.Errorf("folder title %q intro %+v, want %q %+v", pd.Title, pd.Intro, pf.Title, pf.Intro)
	}
	if !reflect.DeepEqual(pd.Prints(), pf.Prints()) {
		t.Errorf("folder sections\n%+v\nwant\n%+v", pd.Prints(), pf.Prints())
	}
	if pd.Fingerprint != pf.Fingerprint {
		t.Error("document fingerprints differ")
	}
	if !strings.HasPrefix(folder.Revision, "sha256:") || folder.Revision == file.Revision {
		t.Errorf("folder revision %q", folder.Revision)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "weekly-notes")
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFetchFolder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"01-breathscape.md":     "Sleep mode is live.\n\n## Details\n\nMore.",
		"02-hardware.md":        "# Devices\n\nFirmware [here](rel).\n\n## Battery\n\n#### Deep\n",
		"03_tips-and-tricks.md": "# One\n\n# Two\n",
		"04-vision.md":          "---\ntitle: \"Roadmap [for: investors]\"\n---\nCalm.",
		"_draft.md":             "# Secret\n",
		".hidden.md":            "# Hidden\n",
		"notes.txt":             "# Not markdown\n",
		"sub/05-more.md":        "# More\n",
	})
	d, err := New(Options{}).Fetch(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Weekly notes" {
		t.Errorf("title %q", d.Title)
	}
	want := []content.Block{
		heading(2, "Breathscape"), para(txt("Sleep mode is live.")), heading(3, "Details"), para(txt("More.")),
		heading(2, "Devices"), para(txt("Firmware "), content.Inline{Text: "here", Link: "rel"}, txt(".")), heading(3, "Battery"), heading(5, "Deep"),
		heading(2, "Tips and tricks"), heading(3, "One"), heading(3, "Two"),
		heading(2, "Roadmap [for: investors]"), para(txt("Calm.")),
	}
	if !reflect.DeepEqual(d.Blocks, want) {
		t.Errorf("blocks\n%+v\nwant\n%+v", d.Blocks, want)
	}
	if len(d.Warnings) != 1 || !strings.HasPrefix(d.Warnings[0], "02-hardware.md: line 3: link") {
		t.Errorf("warnings %q", d.Warnings)
	}
	p := parse(t, d)
	if got := p.Sections[3]; got.Category != "vision" || !reflect.DeepEqual(got.Segments, []string{"investors"}) {
		t.Errorf("vision section %+v", got)
	}
}

func TestFolderRevision(t *testing.T) {
	dir := writeFiles(t, map[string]string{"01-tips.md": "a", "_draft.md": "x"})
	src := New(Options{})
	rev := func() string {
		d, err := src.Fetch(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		return d.Revision
	}
	first := rev()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("_draft.md", "changed draft")
	if rev() != first {
		t.Error("an ignored file changed the revision")
	}
	write("01-tips.md", "b")
	if rev() == first {
		t.Error("an edited section kept the revision")
	}
}

func TestFetchFolderWithTitleFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"_title.md": "# Halcytone Weekly\n\nHello.\n\n# Contents\n",
		"tips.md":   "# Tips\n\nx",
	})
	d, err := New(Options{}).Fetch(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []content.Block{para(txt("Hello.")), heading(3, "Contents"), heading(2, "Tips"), para(txt("x"))}
	if d.Title != "Halcytone Weekly" || !reflect.DeepEqual(d.Blocks, want) {
		t.Errorf("title %q blocks %+v", d.Title, d.Blocks)
	}
}

func TestFetchFileErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"big.md":      strings.Repeat("x", 101),
		"ok.md":       "# Tips\n",
		"empty/.keep": "",
		"large/a.md":  strings.Repeat("a", 60),
		"large/b.md":  strings.Repeat("b", 60),
		"binary.md":   "\x00\x01",
	})
	src := New(Options{BaseDir: dir, MaxBytes: 100})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		id   string
		is   error
		want []string
	}{
		{"missing file", context.Background(), "nope.md", sources.ErrNotFound, []string{filepath.Join(dir, "nope.md"), "check the path", "relative paths are read from " + dir}},
		{"empty id", context.Background(), " ", sources.ErrNotFound, []string{"no path given"}},
		{"folder without markdown", context.Background(), "empty", sources.ErrNotFound, []string{"no .md files", "01-breathscape.md"}},
		{"file over the limit", context.Background(), "big.md", sources.ErrInvalid, []string{"big.md", "100 bytes limit", "split it"}},
		{"folder over the limit", context.Background(), "large", sources.ErrInvalid, []string{"files together are", "100 bytes limit"}},
		{"binary file", context.Background(), "binary.md", sources.ErrInvalid, []string{"binary.md", "NUL bytes"}},
		{"cancelled", cancelled, "ok.md", context.Canceled, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := src.Fetch(tt.ctx, tt.id)
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v, want %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestHumanize(t *testing.T) {
	tests := map[string]string{
		"01-breathscape.md":       "Breathscape",
		"03_tips-and-tricks.md":   "Tips and tricks",
		"vision.markdown":         "Vision",
		"2026.md":                 "2026",
		"Hardware [for: beta].md": "Hardware [for: beta]",
		"living-doc":              "Living doc",
	}
	for in, want := range tests {
		if got := humanize(in); got != want {
			t.Errorf("humanize(%q) = %q, want %q", in, got, want)
		}
	}
}
