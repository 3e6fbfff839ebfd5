package jsonstream

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func check(t testing.TB, s string) {
	var got bytes.Buffer
	if err := String(&got, s); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(s)
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("String(%d bytes) differs from json.Marshal", len(s))
	}
}

// TestStringMatchesEncodingJSON compares long strings whose chunk borders
// fall inside multi-byte runes, invalid sequences and escapes.
func TestStringMatchesEncodingJSON(t *testing.T) {
	pieces := []string{"a", "é", "😀", "\u2028", "\u2029", "<", ">", "&", `"`, `\`, "\n", "\t", "\x00", "\x1f", "\b", "\f",
		"\xff", "\xe2\x82", "\x80\x80\x80\x80\x80", "\xf0\x9f", "{{", "日本語"}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		var b strings.Builder
		for b.Len() < chunk*3+round*7 {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(t, b.String())
	}
	check(t, "")
	check(t, strings.Repeat("é", chunk))
	check(t, strings.Repeat("\x80", chunk*2+3))
}

func FuzzString(f *testing.F) {
	f.Add([]byte("héllo <b>"), 3)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		s := string(b)
		if n <= 0 || n > len(s) {
			check(t, s)
			return
		}
		// Encode in two pieces cut where split says, as String does.
		cut := split(s, n)
		var got bytes.Buffer
		got.WriteString(`"`)
		_ = marshal(&got, s[:cut], false, false)
		_ = marshal(&got, s[cut:], false, false)
		got.WriteString(`"`)
		want, _ := json.Marshal(s)
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("cut at %d of %q: %q, want %q", cut, s, got.Bytes(), want)
		}
	})
}
