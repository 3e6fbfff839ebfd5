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
			name:     "HTML block keeps its text and formatting",
			md:       "Intro\n\n<div class=\"x\">\n<p>Hello &amp; <b>welcome</b><br>friend</p>\n<p>Second</p>\n</div>\n",
			want:     []content.Block{para(txt("Intro")), para(txt("Hello & "), content.Inline{Text: "welcome", Bold: true}, txt("\n"), txt("friend")), para(txt("Second"))},
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
			warnings: []string{`line 3: front matter "date" is ignored`, `line 4: front matter "tags" is ignored`, `line 8: link "rel"`},
		},
		{
			name:     "front matter is YAML: quoted keys and folded titles",
			md:       "---\n\"author\": Ana\ntitle: >\n  Weekly\n  forty-eight\n---\nx\n",
			title:    "Weekly forty-eight",
			want:     []content.Block{para(txt("x"))},
			warnings: []string{`line 2: front matter "author" is ignored`},
		},
		{
			name:     "invalid front matter is reported by file line",
			md:       "---\ntitle: T\n  bad: indent\n---\nx\n",
			title:    "T",
			want:     []content.Block{para(txt("x"))},
			warnings: []string{"front matter is not valid YAML, so only its title line is read, as written: line 3: mapping values"},
		},
		{
			name:     "a title YAML refuses is still read, with a warning",
			md:       "---\ntitle: Weekly: 48\n---\nx\n",
			title:    "Weekly: 48",
			want:     []content.Block{para(txt("x"))},
			warnings: []string{"front matter is not valid YAML, so only its title line is read, as written: line 2: mapping values are not allowed in this context; quote values that hold \": \" (title: \"Weekly: 48\")"},
		},
		{
			name:  "front matter lang",
			md:    "---\ntitle: T\nlang: pt-BR\n---\nx\n",
			title: "T",
			want:  []content.Block{para(txt("x"))},
		},
		{
			name:     "front matter title that is not text",
			md:       "---\ntitle:\n  - a\n---\nx\n",
			want:     []content.Block{para(txt("x"))},
			warnings: []string{"line 3: front matter title is not text"},
		},
		{
			name: "a thematic break is not front matter",
			md:   "---\nJust text\n---\n",
			want: []content.Block{{Kind: content.KindDivider}, heading(2, "Just text")},
		},
		{
			name: "CRLF line endings leave no carriage return in code",
			md:   "Intro\r\n\r\n```go\r\nx := 1\r\ny := 2\r\n```\r\n",
			want: []content.Block{para(txt("Intro")), {Kind: content.KindCode, Language: "go", Text: "x := 1\ny := 2"}},
		},
		{
			name: "CR-only line endings keep paragraphs apart",
			md:   "# Tips\r\rOne\rstill one\r\rTwo\r",
			want: []content.Block{heading(1, "Tips"), para(txt("One still one")), para(txt("Two"))},
		},
		{
			name: "footnotes are numbered and listed at the end",
			md:   "Sleep[^sleep] and focus[^2].\n\n[^sleep]: Eight hours.\n[^2]: See **the guide**.\n",
			want: []content.Block{
				para(txt("Sleep[1] and focus[2].")),
				{Kind: content.KindDivider},
				para(txt("[1] "), txt("Eight hours.")),
				para(txt("[2] "), txt("See "), content.Inline{Text: "the guide", Bold: true}, txt(".")),
			},
		},
		{
			name: "math is kept as its TeX in code style, with a warning; prices are not math",
			md:   "Energy $E = mc^2$ costs $5 or $10.\n\n$$\n\\int_0^1 x\\,dx\n$$\n",
			want: []content.Block{
				para(txt("Energy "), content.Inline{Text: "E = mc^2", Code: true}, txt(" costs $5 or $10.")),
				{Kind: content.KindCode, Language: "math", Text: "\\int_0^1 x\\,dx"},
			},
			warnings: []string{`line 1: math "E = mc^2" is shown as its TeX source`, "line 3: math is shown as its TeX source"},
		},
		{
			name: "a destination in angle brackets may hold spaces",
			md:   "[the guide](<https://h.example/Sleep Guide.pdf>) ![pic](<https://h.example/a b.png>)",
			want: []content.Block{
				para(content.Inline{Text: "the guide", Link: "https://h.example/Sleep%20Guide.pdf"}, txt(" ")),
				image("https://h.example/a%20b.png", "pic"),
			},
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
