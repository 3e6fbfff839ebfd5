package markdown

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

func TestConvertWarns(t *testing.T) {
	tests := []struct {
		name     string
		md       string
		title    string
		want     []content.Block
		warnings []string // substrings, in order
	}{
		{
			name:     "HTML block keeps its text",
			md:       "Intro\n\n<div class=\"x\">\n<p>Hello &amp; <b>welcome</b><br>friend</p>\n<p>Second</p>\n</div>\n",
			want:     []content.Block{para(txt("Intro")), para(txt("Hello & welcome"), txt("\n"), txt("friend")), para(txt("Second"))},
			warnings: []string{"line 3: HTML is not passed through"},
		},
		{
			name:     "script and style content is dropped",
			md:       "<script>alert(1)</script>\n\n<style>p{}</style>\n\nok",
			want:     []content.Block{para(txt("ok"))},
			warnings: []string{"line 1: HTML", "line 3: HTML"},
		},
		{
			name: "comments are dropped silently",
			md:   "<!-- editor note -->\n\nText <!-- inline --> here",
			want: []content.Block{para(txt("Text  here"))},
		},
		{
			name:     "inline HTML is dropped, its text kept",
			md:       "A <span style=\"x\">big</span> day<br/>again\n\n<em>x</em>",
			want:     []content.Block{para(txt("A big day"), txt("\n"), txt("again")), para(txt("x"))},
			warnings: []string{`line 1: HTML <span style="x"> </span> <br/> is not passed through`, "line 3: HTML <em> </em>"},
		},
		{
			name:     "links and images renderers cannot show",
			md:       "[doc](../doc.md) [js](javascript:alert(1))\n\n![pic](img/pic.png)",
			want:     []content.Block{para(content.Inline{Text: "doc", Link: "../doc.md"}, txt(" "), content.Inline{Text: "js", Link: "javascript:alert(1)"}), image("img/pic.png", "pic")},
			warnings: []string{`line 1: link "../doc.md"`, `line 1: link "javascript:alert(1)"`, `line 3: image "img/pic.png" is not an http or https URL`},
		},
		{
			name:  "front matter title",
			md:    "---\ntitle: \"Weekly: 48\"\n---\n# Heading\n",
			title: "Weekly: 48",
			want:  []content.Block{heading(1, "Heading")},
		},
		{
			name:     "other front matter keys are ignored; lines count from the file start",
			md:       "---\ntitle: T\ndate: 2026-11-23\ntags:\n  - a\n---\n\n[x](rel)\n",
			title:    "T",
			want:     []content.Block{para(content.Inline{Text: "x", Link: "rel"})},
			warnings: []string{`front matter "date" is ignored`, `front matter "tags" is ignored`, `line 8: link "rel"`},
		},
		{
			name: "a thematic break is not front matter",
			md:   "---\nJust text\n---\n",
			want: []content.Block{{Kind: content.KindDivider}, heading(2, "Just text")},
		},
		{
			name:     "invalid UTF-8 is replaced",
			md:       "caf\xe9 time",
			want:     []content.Block{para(txt("caf\uFFFD time"))},
			warnings: []string{"not valid UTF-8"},
		},
		{
			name: "byte order mark",
			md:   "\ufeff---\ntitle: T\n---\nx",
			want: []content.Block{para(txt("x"))}, title: "T",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Convert([]byte(tt.md))
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != tt.title {
				t.Errorf("title %q, want %q", d.Title, tt.title)
			}
			if !reflect.DeepEqual(d.Blocks, tt.want) {
				t.Errorf("blocks %+v\nwant %+v", d.Blocks, tt.want)
			}
			if len(d.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", d.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(d.Warnings[i], w) {
					t.Errorf("warning %q, want it to contain %q", d.Warnings[i], w)
				}
			}
		})
	}
}

func TestConvertRejectsBinary(t *testing.T) {
	_, err := Convert([]byte("PK\x03\x04\x00\x00"))
	if !errors.Is(err, sources.ErrInvalid) || !strings.Contains(err.Error(), "binary") {
		t.Errorf("error %v", err)
	}
}
