package inline

import (
	"reflect"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestAppend(t *testing.T) {
	bold := content.Inline{Bold: true}
	tests := []struct {
		name  string
		build func() []content.Inline
		want  []content.Inline
	}{
		{
			name: "merges equal formatting",
			build: func() []content.Inline {
				r := Append(nil, "Hello ", bold)
				return Append(r, "world", bold)
			},
			want: []content.Inline{{Text: "Hello world", Bold: true}},
		},
		{
			name: "keeps different formatting apart",
			build: func() []content.Inline {
				r := Append(nil, "Hello ", content.Inline{})
				return Append(r, "world", bold)
			},
			want: []content.Inline{{Text: "Hello "}, {Text: "world", Bold: true}},
		},
		{
			name: "line feeds become breaks that never merge",
			build: func() []content.Inline {
				r := Append(nil, "one\ntwo", bold)
				return Append(r, "\n", content.Inline{})
			},
			want: []content.Inline{{Text: "one", Bold: true}, Break(), {Text: "two", Bold: true}, Break()},
		},
		{
			name: "concat merges at the seam",
			build: func() []content.Inline {
				return Concat(Append(nil, "a", bold), []content.Inline{{Text: "b", Bold: true}, Break(), {Text: "c"}})
			},
			want: []content.Inline{{Text: "ab", Bold: true}, Break(), {Text: "c"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.build(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestTrim(t *testing.T) {
	tests := []struct {
		in, want []content.Inline
	}{
		{nil, nil},
		{[]content.Inline{{Text: "  "}, Break()}, nil},
		{
			[]content.Inline{Break(), {Text: "  Hi", Bold: true}, {Text: " there  "}, Break()},
			[]content.Inline{{Text: "Hi", Bold: true}, {Text: " there"}},
		},
	}
	for _, tt := range tests {
		in := append([]content.Inline(nil), tt.in...)
		if got := Trim(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Trim(%#v) = %#v, want %#v", tt.in, got, tt.want)
		}
		if !reflect.DeepEqual(in, tt.in) {
			t.Errorf("Trim changed its input to %#v", tt.in)
		}
	}
}
