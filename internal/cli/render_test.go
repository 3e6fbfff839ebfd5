package cli

import (
	"bytes"
	"context"
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
