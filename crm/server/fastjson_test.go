package server

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestEncodeFlat(t *testing.T) {
	for _, m := range []map[string]string{
		nil,
		{},
		{"name": "Ann", "attr.city": "Oslo", "first_name": "Ann"},
		{"name": "Zoë Ünal", "attr.city": "Zürich 東京"},
		{"attr.company": "Knuth & Co <Research>"},
		{"name": `Quote " and \ backslash`},
		{"name": "line\nbreak\ttab\x00nul\x7f"},
		{"name": "sep\u2028and\u2029"},
		{"name": "bad \xff utf-8"},
		{"unsubscribe_url": "https://crm.example.com/unsubscribe?token=a%2Fb&x=1"},
		{"a": "", "": "empty key", "long": strings.Repeat("word ", 400)},
	} {
		got := encodeFlat(m)
		// What encoding/json reads back is what it reads from its own
		// encoding (which replaces invalid UTF-8), in the same key order.
		var back, want map[string]string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("encodeFlat(%q) = %s: not JSON: %v", m, got, err)
		}
		std, _ := json.Marshal(nonNil(m))
		if err := json.Unmarshal(std, &want); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(back, want) {
			t.Errorf("encodeFlat(%q) = %s reads back as %q, want %q", m, got, back, want)
		}
		// Byte for byte what encoding/json writes without HTML escaping.
		var enc strings.Builder
		e := json.NewEncoder(&enc)
		e.SetEscapeHTML(false)
		if err := e.Encode(nonNil(m)); err != nil {
			t.Fatal(err)
		}
		if exact := strings.TrimSuffix(enc.String(), "\n"); got != exact {
			t.Errorf("encodeFlat(%q) = %s, want %s", m, got, exact)
		}
		if fast, err := decodeMerge(got); err != nil || !maps.Equal(fast, want) {
			t.Errorf("decodeMerge(%s) = %q, %v; want %q", got, fast, err, want)
		}
	}
	// Characters HTML would escape stay as they are, so the common case
	// needs no escapes.
	if got, want := encodeFlat(map[string]string{"company": "Knuth & Co <R>", "city": "Zürich"}), `{"city":"Zürich","company":"Knuth & Co <R>"}`; got != want {
		t.Errorf("encodeFlat = %s, want %s", got, want)
	}
}

func TestDecodeStrings(t *testing.T) {
	for _, in := range []string{
		`[]`, `[""]`, `["beta"]`, `["beta","pro","investors"]`, `["Zürich","東京"]`,
		`["a\"b"]`, `["a\\b"]`, `["\u00e9"]`, `[ "a" ]`, `["a", "b"]`, `["a",]`, `[,"a"]`, `["a""b"]`,
		`["a"`, `"a"]`, `[1]`, `null`, ``, `[`, `]`, `["a"]x`, `x["a"]`, `{"a":"b"}`,
	} {
		got, err := decodeStrings(in)
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("decodeStrings(%s): error %v, encoding/json says %v", in, err, wantErr)
			continue
		}
		if err == nil && (!slices.Equal(got, want) || (got == nil) != (want == nil)) {
			t.Errorf("decodeStrings(%s) = %#v, want %#v", in, got, want)
		}
	}
}
