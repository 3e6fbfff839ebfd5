package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const segmentDoc = `# Halcytone Weekly

## Breathscape

Sleep mode for every subscriber.

## Vision [for: ../../../../etc/x]

Only for a segment with a hostile name.

## Hardware [for: investors]

Board papers for investors.
`

const audienceDoc = `# Halcytone Weekly

## Breathscape

Sleep mode for every subscriber.

## Vision [for: investors]

Board papers for investors.

## Hardware [for: Beta, pro]

Firmware for testers.
`

// TestRenderNamesEmailOnlySections checks that render says which sections
// only some segments get by email, and which segments, whether it writes
// files or prints the channels.
func TestRenderNamesEmailOnlySections(t *testing.T) {
	base := t.TempDir()
	doc := filepath.Join(base, "doc.md")
	if err := os.WriteFile(doc, []byte(audienceDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range [][]string{nil, {"--out", filepath.Join(base, "out")}} {
		var stdout bytes.Buffer
		e := &Env{Lookup: func(string) string { return "" }, Stdout: &stdout, Stderr: &stdout}
		args := append([]string{"render", "--source", "markdown:" + doc, "--edition", "2026-W49"}, out...)
		if err := Run(context.Background(), e, args); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			`email-only section "Vision": for investors only`,
			`email-only section "Hardware": for beta, pro only`,
		} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("render %q does not say %q:\n%s", out, want, stdout.String())
			}
		}
	}
}

// TestRenderOutStaysInside renders a document whose segment names are
// paths: every file lands inside --out under a safe name.
func TestRenderOutStaysInside(t *testing.T) {
	base := t.TempDir()
	doc := filepath.Join(base, "doc.md")
	if err := os.WriteFile(doc, []byte(segmentDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "a", "b", "c")
	// Where "../../../../etc/x" leads from inside out, were it a path.
	if err := os.MkdirAll(filepath.Join(base, "a", "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	e := &Env{Lookup: func(string) string { return "" }, Stdout: &stdout, Stderr: &stderr}
	if err := Run(context.Background(), e, []string{"render", "--source", "markdown:" + doc, "--out", out, "--edition", "2026-W49"}); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr.String())
	}
	var outside []string
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == doc {
			return err
		}
		if rel, _ := filepath.Rel(out, path); strings.HasPrefix(rel, "..") {
			outside = append(outside, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(outside) > 0 {
		t.Fatalf("render wrote outside --out: %q", outside)
	}
	names, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range names {
		if strings.ContainsAny(n.Name(), `/\`) || strings.Contains(n.Name(), "..") {
			t.Errorf("unsafe file name %q", n.Name())
		}
		if data, _ := os.ReadFile(filepath.Join(out, n.Name())); strings.HasSuffix(n.Name(), ".html") &&
			strings.Contains(string(data), "hostile name") && !strings.Contains(string(data), "Board papers") {
			found = true
		}
	}
	if !found {
		t.Errorf("no email variant file for the segment ../../../../etc/x in %s", out)
	}
}

// TestRenderOutRefusesSymlinkOut checks a symlink planted in --out is not
// followed out of it.
func TestRenderOutRefusesSymlinkOut(t *testing.T) {
	base := t.TempDir()
	doc := filepath.Join(base, "doc.md")
	if err := os.WriteFile(doc, []byte(audienceDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	out, victim := filepath.Join(base, "out"), filepath.Join(base, "victim.html")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(out, "web.html")); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	e := &Env{Lookup: func(string) string { return "" }, Stdout: &stdout, Stderr: &stdout}
	err := Run(context.Background(), e, []string{"render", "--source", "markdown:" + doc, "--out", out, "--edition", "2026-W49"})
	if _, statErr := os.Stat(victim); statErr == nil {
		t.Fatal("render followed a symlink out of --out")
	}
	if err == nil || !strings.Contains(err.Error(), "web.html") {
		t.Errorf("error %v does not name the file it could not write", err)
	}
}
