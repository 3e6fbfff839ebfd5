package render

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestBlocksWeb(t *testing.T) {
	tests := []struct {
		name  string
		block content.Block
		html  string // web HTML
		md    string
		text  string
	}{
		{"paragraph formatting",
			para(content.Inline{Text: "b", Bold: true}, text(" "), content.Inline{Text: "i", Italic: true}, text(" "),
				content.Inline{Text: "s", Strike: true}, text(" "), content.Inline{Text: "u", Underline: true}, text(" "),
				content.Inline{Text: "c", Code: true}),
			"<p><strong>b</strong> <em>i</em> <s>s</s> <u>u</u> <code>c</code></p>",
			"**b** *i* ~~s~~ u `c`",
			"b i s u c"},
		{"link with mixed formatting is one anchor",
			para(content.Inline{Text: "read ", Link: "https://x.example/a"}, content.Inline{Text: "this", Bold: true, Link: "https://x.example/a"}),
			`<p><a href="https://x.example/a">read <strong>this</strong></a></p>`,
			"[read **this**](https://x.example/a)",
			"read this (https://x.example/a)"},
		{"hard line break",
			para(text("one"), text("\n"), text("two")),
			"<p>one<br>two</p>", "one\\\ntwo", "one\ntwo"},
		{"heading level clamps to h3",
			content.Block{Kind: content.KindHeading, Level: 1, Inlines: []content.Inline{text("Top")}},
			"<h3>Top</h3>", "### Top", "Top\n---"},
		{"heading level 5",
			content.Block{Kind: content.KindHeading, Level: 5, Inlines: []content.Inline{text("Deep")}},
			"<h5>Deep</h5>", "##### Deep", "Deep\n----"},
		{"nested list",
			content.Block{Kind: content.KindList, Items: []content.ListItem{
				item("a", content.Block{Kind: content.KindList, Ordered: true, Items: []content.ListItem{item("a1"), item("a2")}}),
				item("b")}},
			"<ul><li>a<ol><li>a1</li><li>a2</li></ol>\n</li><li>b</li></ul>",
			"- a\n  1. a1\n  2. a2\n- b",
			"- a\n  1. a1\n  2. a2\n- b"},
		{"todo",
			content.Block{Kind: content.KindTodo, Checked: true, Inlines: []content.Inline{text("done")}},
			`<ul class="todo-list"><li class="todo done">☑ done</li></ul>`,
			"- [x] done", "☑ done"},
		{"quote",
			content.Block{Kind: content.KindQuote, Children: []content.Block{para(text("calm"))}},
			"<blockquote><p>calm</p>\n</blockquote>", "> calm", "> calm"},
		{"callout with icon",
			content.Block{Kind: content.KindCallout, Icon: "💡", Children: []content.Block{para(text("tip"))}},
			`<aside class="callout"><span class="callout-icon" aria-hidden="true">💡</span><div class="callout-body"><p>tip</p>` + "\n</div></aside>",
			"> 💡 tip", "💡 tip"},
		{"code block keeps text, escaped",
			content.Block{Kind: content.KindCode, Language: "Go", Text: "if a < b && c {\n\tx := \"``\"\n}\n"},
			"<pre><code class=\"language-go\">if a &lt; b &amp;&amp; c {\n\tx := &#34;``&#34;\n}\n</code></pre>",
			"```go\nif a < b && c {\n\tx := \"``\"\n}\n```",
			"    if a < b && c {\n    \tx := \"``\"\n    }"},
		{"image with caption",
			content.Block{Kind: content.KindImage, URL: "https://x.example/i.png", Alt: "A view", Inlines: []content.Inline{text("Caption")}},
			`<figure><img src="https://x.example/i.png" alt="A view" style="max-width:100%;height:auto" loading="lazy"><figcaption>Caption</figcaption></figure>`,
			"![A view](https://x.example/i.png)\\\n*Caption*",
			"[Image: A view] (https://x.example/i.png)\nCaption"},
		{"linked image",
			content.Block{Kind: content.KindImage, URL: "https://x.example/i.png", Alt: "A view", Link: "https://x.example/page"},
			`<figure><a href="https://x.example/page"><img src="https://x.example/i.png" alt="A view" style="max-width:100%;height:auto" loading="lazy"></a></figure>`,
			"[![A view](https://x.example/i.png)](https://x.example/page)",
			"[Image: A view] (https://x.example/i.png), links to\nhttps://x.example/page"},
		{"linked image with an unsafe link keeps only the image",
			content.Block{Kind: content.KindImage, URL: "https://x.example/i.png", Alt: "A view", Link: "javascript:alert(1)"},
			`<figure><img src="https://x.example/i.png" alt="A view" style="max-width:100%;height:auto" loading="lazy"></figure>`,
			"![A view](https://x.example/i.png)",
			"[Image: A view] (https://x.example/i.png)"},
		{"table with header row",
			content.Block{Kind: content.KindTable, HeaderRow: true, Rows: [][]content.Cell{cells("A", "B"), cells("1", "2|3")}},
			`<table><thead><tr><th scope="col">A</th><th scope="col">B</th></tr></thead><tbody><tr><td>1</td><td>2|3</td></tr></tbody></table>`,
			"| A | B |\n| --- | --- |\n| 1 | 2\\|3 |",
			"A | B\n--+----\n1 | 2|3"},
		{"table without header row",
			content.Block{Kind: content.KindTable, Rows: [][]content.Cell{cells("1", "2"), cells("3")}},
			`<table><tbody><tr><td>1</td><td>2</td></tr><tr><td>3</td><td></td></tr></tbody></table>`,
			"| 1 | 2 |\n| --- | --- |\n| 3 |  |",
			"1 | 2\n3 |"},
		{"toggle opens on the web",
			content.Block{Kind: content.KindToggle, Inlines: []content.Inline{text("How")}, Children: []content.Block{para(text("Slowly."))}},
			`<details class="toggle"><summary>How</summary><p>Slowly.</p>` + "\n</details>",
			"How\n\nSlowly.", "How\n\nSlowly."},
		{"image caption that repeats the alt text shows once in text",
			content.Block{Kind: content.KindImage, URL: "https://x.example/i.png", Alt: "A view", Inlines: []content.Inline{text("A view")}},
			`<figure><img src="https://x.example/i.png" alt="A view" style="max-width:100%;height:auto" loading="lazy"><figcaption>A view</figcaption></figure>`,
			"![A view](https://x.example/i.png)\\\n*A view*",
			"[Image: A view] (https://x.example/i.png)"},
		{"merged cells span on the web; Markdown and text keep the grid",
			content.Block{Kind: content.KindTable, HeaderRow: true, Rows: [][]content.Cell{
				{{Inlines: []content.Inline{text("Week")}, ColSpan: 2}, {Merged: true}},
				{{Inlines: []content.Inline{text("a")}, RowSpan: 2}, {Inlines: []content.Inline{text("b")}}},
				{{Merged: true}, {Inlines: []content.Inline{text("c")}}},
			}},
			`<table><thead><tr><th scope="col" colspan="2">Week</th></tr></thead><tbody><tr><td rowspan="2">a</td><td>b</td></tr><tr><td>c</td></tr></tbody></table>`,
			"| Week |  |\n| --- | --- |\n| a | b |\n|  | c |",
			"Week |\n-----+--\na    | b\n     | c"},
		{"divider", content.Block{Kind: content.KindDivider}, "<hr>", "---", strings.Repeat("-", 24)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bs := []content.Block{tt.block}
			if got := strings.TrimSuffix(blocksHTML(bs, nil), "\n"); got != tt.html {
				t.Errorf("html:\n got %q\nwant %q", got, tt.html)
			}
			if got := blocksMarkdown(bs); got != tt.md {
				t.Errorf("markdown:\n got %q\nwant %q", got, tt.md)
			}
			if got := blocksText(bs, textWidth); got != tt.text {
				t.Errorf("text:\n got %q\nwant %q", got, tt.text)
			}
		})
	}
}

func TestBlocksEmailInlineStyles(t *testing.T) {
	bs := fixtureParsed().Sections[1].Blocks
	got := blocksHTML(bs, builtinStyles(t))
	for _, tag := range []string{"<p ", "<pre ", "<code ", "<img ", "<th ", "<td ", "<table "} {
		if !strings.Contains(got, tag) {
			t.Errorf("email HTML lacks %q", tag)
		}
	}
	for _, bare := range []string{"<p>", "<pre>", "<td>", "<th>", "<li>", "class=", "<style"} {
		if strings.Contains(got, bare) {
			t.Errorf("email HTML has %q: every element must carry an inline style, and nothing may rely on classes", bare)
		}
	}
	if !strings.Contains(got, "max-width:100%") {
		t.Error("email images must have max-width:100%")
	}
}

func TestTodoRunIsOneList(t *testing.T) {
	todo := func(s string, done bool) content.Block {
		return content.Block{Kind: content.KindTodo, Checked: done, Inlines: []content.Inline{text(s)}}
	}
	bs := []content.Block{todo("a", true), todo("b", false), para(text("p")), todo("c", false)}
	if got := strings.Count(blocksHTML(bs, nil), `<ul class="todo-list">`); got != 2 {
		t.Errorf("want 2 to-do lists (split by the paragraph), got %d", got)
	}
	if got, want := blocksMarkdown(bs), "- [x] a\n- [ ] b\n\np\n\n- [ ] c"; got != want {
		t.Errorf("markdown %q, want %q", got, want)
	}
	if got, want := blocksText(bs, textWidth), "☑ a\n☐ b\n\np\n\n☐ c"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, line := range strings.Split(wrap(long, 72), "\n") {
		if displayWidth(line) > 72 {
			t.Errorf("line over 72 columns: %q", line)
		}
	}
	url := "https://example.com/" + strings.Repeat("a", 100)
	if got := wrap("see "+url+" now", 72); got != "see\n"+url+"\nnow" {
		t.Errorf("a long URL must stay whole on its own line, got %q", got)
	}
	if got := wrap("漢字漢字漢字 漢字漢字漢字", 20); got != "漢字漢字漢字\n漢字漢字漢字" {
		t.Errorf("wide characters count two columns, got %q", got)
	}
}

func TestToggleInEmailIsABoldLineOverItsContent(t *testing.T) {
	b := content.Block{Kind: content.KindToggle, Inlines: []content.Inline{text("How")}, Children: []content.Block{para(text("Slowly."))}}
	got := blocksHTML([]content.Block{b}, builtinStyles(t))
	if strings.Contains(got, "<details") || !strings.Contains(got, "<strong>How</strong></p>") || !strings.Contains(got, "Slowly.</p>") {
		t.Errorf("email toggle:\n%s", got)
	}
}
