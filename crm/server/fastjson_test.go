package server

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestEncodeMerge(t *testing.T) {
	for _, m := range []map[string]string{
		nil,
		{},
		{"name": "Ann", "attr.city": "Oslo", "first_name": "Ann"},
		{"name": "Zoë Ünal", "attr.city": "Zürich 東京"},
		{"name": `Quote " and \ backslash`},
		{"name": "<b>&amp;</b>"},
		{"name": "line\nbreak\ttab\x00nul\x7f"},
		{"name": "sep\u2028and\u2029"},
		{"name": "bad \xff utf-8"},
		{"unsubscribe_url": "https://crm.example.com/unsubscribe?token=a%2Fb&x=1"},
		{"a": "", "": "empty key", "long": strings.Repeat("word ", 400)},
	} {
		got := encodeMerge(m)
		want, _ := json.Marshal(nonNil(m))
		if got != string(want) {
			t.Errorf("encodeMerge(%q) = %s, want %s", m, got, want)
		}
		back, err := decodeMerge(got)
		if err != nil {
			t.Fatalf("decodeMerge(%s): %v", got, err)
		}
		var std map[string]string
		if err := json.Unmarshal(want, &std); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(back, std) {
			t.Errorf("round trip of %q: %q, want %q", m, back, std)
		}
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
