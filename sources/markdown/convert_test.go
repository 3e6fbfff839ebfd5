package markdown

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/halcytone/contentgen/content"
)

type convertCase struct {
	name string
	md   string
	want []content.Block
}

func runConvertCases(t *testing.T, tests []convertCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Convert([]byte(tt.md))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.Blocks, tt.want) {
				got, _ := json.MarshalIndent(d.Blocks, "", "  ")
				want, _ := json.MarshalIndent(tt.want, "", "  ")
				t.Errorf("blocks\n%s\nwant\n%s", got, want)
			}
			if len(d.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", d.Warnings)
			}
		})
	}
}

func TestConvertText(t *testing.T) {
	runConvertCases(t, []convertCase{
		{"headings", "# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six\nSetext\n======\n", []content.Block{
			heading(1, "One"), heading(2, "Two"), heading(3, "Three"), heading(4, "Four"), heading(5, "Five"), heading(6, "Six"), heading(1, "Setext"),
		}},
		{"soft break is a space", "one\ntwo", []content.Block{para(txt("one two"))}},
		{"hard breaks", "one  \ntwo\\\nthree", []content.Block{para(txt("one"), txt("\n"), txt("two"), txt("\n"), txt("three"))}},
		{"emphasis", "*i* **b** ***bi*** **b *bi***", []content.Block{para(
			content.Inline{Text: "i", Italic: true}, txt(" "), content.Inline{Text: "b", Bold: true}, txt(" "),
			content.Inline{Text: "bi", Bold: true, Italic: true}, txt(" "),
			content.Inline{Text: "b ", Bold: true}, content.Inline{Text: "bi", Bold: true, Italic: true},
		)}},
		{"strikethrough and code", "~~old~~ `x := 1` **`y`**", []content.Block{para(
			content.Inline{Text: "old", Strike: true}, txt(" "), content.Inline{Text: "x := 1", Code: true}, txt(" "),
			content.Inline{Text: "y", Code: true, Bold: true},
		)}},
		{"links", "[**Read** more](https://h.example/a \"t\") and <https://h.example/b>", []content.Block{para(
			content.Inline{Text: "Read", Bold: true, Link: "https://h.example/a"}, content.Inline{Text: " more", Link: "https://h.example/a"},
			txt(" and "), content.Inline{Text: "https://h.example/b", Link: "https://h.example/b"},
		)}},
		{"bare URLs and emails are linked", "See https://h.example/x, www.h.example or <hi@h.example>.", []content.Block{para(
			txt("See "), content.Inline{Text: "https://h.example/x", Link: "https://h.example/x"}, txt(", "),
			content.Inline{Text: "www.h.example", Link: "http://www.h.example"}, txt(" or "),
			content.Inline{Text: "hi@h.example", Link: "mailto:hi@h.example"}, txt("."),
		)}},
		{"reference links", "[guide][g]\n\n[g]: https://h.example/guide", []content.Block{para(content.Inline{Text: "guide", Link: "https://h.example/guide"})}},
		{"escapes and entities", `\*not\* &amp; &copy; &#35;1`, []content.Block{para(txt("*not* & © #1"))}},
		{"thematic break", "a\n\n---\n\nb", []content.Block{para(txt("a")), {Kind: content.KindDivider}, para(txt("b"))}},
		{"fenced and indented code", "```go title=x\nfmt.Println(\"hi\")\n\n  x := 1\n```\n\n~~~\nplain\n~~~\n\n    indented\n      more\n", []content.Block{
			{Kind: content.KindCode, Language: "go", Text: "fmt.Println(\"hi\")\n\n  x := 1"},
			{Kind: content.KindCode, Text: "plain"},
			{Kind: content.KindCode, Text: "indented\n  more"},
		}},
	})
}

func TestConvertImages(t *testing.T) {
	const u = "https://img.example/a.png"
	runConvertCases(t, []convertCase{
		{"standalone image", "![A *sensor*](" + u + ")", []content.Block{image(u, "A sensor")}},
		{"title is the caption", "![Sensor](" + u + " \"On its charger\")", []content.Block{image(u, "Sensor", txt("On its charger"))}},
		{"linked image keeps its link", "[![Sensor](" + u + ")](https://h.example)", []content.Block{
			{Kind: content.KindImage, URL: u, Alt: "Sensor", Link: "https://h.example"},
		}},
		{"image in text follows the paragraph", "Before ![x](" + u + ") after", []content.Block{para(txt("Before  after")), image(u, "x")}},
		{"two images side by side", "![a](" + u + ") ![b](" + u + ")", []content.Block{image(u, "a"), image(u, "b")}},
		{"image in a table cell is a link", "| Pic |\n|---|\n| ![Sensor](" + u + ") |", []content.Block{{
			Kind: content.KindTable, HeaderRow: true,
			Rows: [][]content.Cell{cells("Pic"), {{Inlines: []content.Inline{{Text: "Sensor", Link: u}}}}},
		}}},
	})
}

func TestConvertLists(t *testing.T) {
	runConvertCases(t, []convertCase{
		{"bullets and numbers", "- a\n- b\n\n1. one\n2. two\n", []content.Block{
			list(false, item("a"), item("b")), list(true, item("one"), item("two")),
		}},
		{"nested three deep", "- a\n  1. b\n     - c\n       - d\n- e\n", []content.Block{
			list(false,
				item("a", list(true, item("b", list(false, item("c", list(false, item("d"))))))),
				item("e"),
			),
		}},
		{"extra paragraphs and code in an item", "- first\n\n  more text\n\n  ```\n  code\n  ```\n- second\n", []content.Block{
			list(false, item("first", para(txt("more text")), content.Block{Kind: content.KindCode, Text: "code"}), item("second")),
		}},
		{"checklist becomes to-dos", "- [x] done\n- [ ] open\n", []content.Block{todo(true, "done"), todo(false, "open")}},
		{"mixed list marks its tasks", "- [x] done\n- note\n", []content.Block{
			list(false, content.ListItem{Inlines: []content.Inline{txt("☑ "), txt("done")}}, item("note")),
		}},
		{"tasks with nested content stay a list", "- [ ] parent\n  - [ ] child\n", []content.Block{
			list(false, content.ListItem{Inlines: []content.Inline{txt("☐ "), txt("parent")}, Children: []content.Block{todo(false, "child")}}),
		}},
		{"image in an item stays in the item", "- look ![x](https://img.example/x.png)\n", []content.Block{
			list(false, item("look ", image("https://img.example/x.png", "x"))),
		}},
	})
}

func TestConvertQuotesAndCallouts(t *testing.T) {
	callout := func(icon string, children ...content.Block) content.Block {
		return content.Block{Kind: content.KindCallout, Icon: icon, Children: children}
	}
	quote := func(children ...content.Block) content.Block {
		return content.Block{Kind: content.KindQuote, Children: children}
	}
	runConvertCases(t, []convertCase{
		{"quote", "> Calm\n>\n> > Nested", []content.Block{quote(para(txt("Calm")), quote(para(txt("Nested"))))}},
		{"note alert", "> [!NOTE]\n> Charge **first**.", []content.Block{callout("ℹ️", para(txt("Charge "), content.Inline{Text: "first", Bold: true}, txt(".")))}},
		{"warning alert with paragraphs", "> [!warning]\n> One.\n>\n> Two.", []content.Block{callout("⚠️", para(txt("One.")), para(txt("Two.")))}},
		{"tip alert on its own line", "> [!TIP]\n>\n> Exhale.", []content.Block{callout("💡", para(txt("Exhale.")))}},
		{"unknown alert is a quote", "> [!FYI] x", []content.Block{quote(para(txt("[!FYI] x")))}},
		{"emoji starts a callout", "> 🌱 Coming soon", []content.Block{callout("🌱", para(txt("Coming soon")))}},
		{"emoji sequence", "> ⚠️ Careful", []content.Block{callout("⚠️", para(txt("Careful")))}},
		{"joined emoji", "> 🧘‍♀️ Stretch", []content.Block{callout("🧘‍♀️", para(txt("Stretch")))}},
		{"flag", "> 🇬🇧 UK launch", []content.Block{callout("🇬🇧", para(txt("UK launch")))}},
		{"a symbol is not an emoji", "> © Halcytone", []content.Block{quote(para(txt("© Halcytone")))}},
		{"emoji alone stays a quote", "> 🌱", []content.Block{quote(para(txt("🌱")))}},
	})
}

func TestConvertTable(t *testing.T) {
	runConvertCases(t, []convertCase{
		{"header and formatted cells", "| Plan | Price |\n|:-----|------:|\n| **Pro** | [€5](https://h.example/p) |\n| Free | |\n", []content.Block{{
			Kind: content.KindTable, HeaderRow: true,
			Rows: [][]content.Cell{
				cells("Plan", "Price"),
				{{Inlines: []content.Inline{{Text: "Pro", Bold: true}}}, {Inlines: []content.Inline{{Text: "€5", Link: "https://h.example/p"}}}},
				{{Inlines: []content.Inline{txt("Free")}}, {}},
			},
		}}},
	})
}
