package markdown

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// TestConvertExample pins the conversion of the example living document.
func TestConvertExample(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "living-document.md"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Convert(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "living-document.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./sources/markdown -run TestConvertExample -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("conversion differs from %s; if intended, rerun with -update and review the diff\n%s", golden, got)
	}
}
