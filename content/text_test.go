package content

import "testing"

func TestPlainText(t *testing.T) {
	nested := Block{Kind: KindList, Items: []ListItem{
		{Inlines: []Inline{{Text: "Inhale"}}, Children: []Block{
			{Kind: KindList, Ordered: true, Items: []ListItem{
				{Inlines: []Inline{{Text: "four counts"}}},
				{Inlines: []Inline{{Text: "hold"}}, Children: []Block{para("gently")}},
			}},
		}},
		{Inlines: []Inline{{Text: "Exhale "}, {Text: "slowly", Italic: true}}},
	}}
	tests := []struct {
		name   string
		blocks []Block
		want   string
	}{
		{"paragraphs", []Block{para(" One  "), runs(Inline{Text: "Two "}, Inline{Text: "link", Link: "https://x"}, Inline{Text: "\n"}, Inline{Text: "three"})}, "One\n\nTwo link\nthree"},
		{"nested list", []Block{nested}, "- Inhale\n  1. four counts\n  2. hold\n     gently\n- Exhale slowly"},
		{"todos", []Block{{Kind: KindTodo, Checked: true, Inlines: []Inline{{Text: "Pair"}}}, {Kind: KindTodo, Inlines: []Inline{{Text: "Breathe"}}}, para("after")}, "[x] Pair\n[ ] Breathe\n\nafter"},
		{"quote", []Block{{Kind: KindQuote, Children: []Block{para("Calm"), para("Focus")}}}, "> Calm\n>\n> Focus"},
		{"callout", []Block{{Kind: KindCallout, Icon: "💡", Children: []Block{para("Tip")}}}, "💡 Tip"},
		{"callout with an image icon", []Block{{Kind: KindCallout, Icon: "https://x/i.png", Children: []Block{para("Tip")}}}, "Tip"},
		{"code verbatim", []Block{{Kind: KindCode, Language: "sh", Text: "a  b\n  c\n"}}, "a  b\n  c"},
		{"image alt then caption", []Block{{Kind: KindImage, URL: "u", Alt: "Sensor"}, {Kind: KindImage, URL: "u", Inlines: []Inline{{Text: "Caption"}}}}, "Sensor\n\nCaption"},
		{"table", []Block{{Kind: KindTable, HeaderRow: true, Rows: [][]Cell{
			{{Inlines: []Inline{{Text: "Plan"}}}, {Inlines: []Inline{{Text: "Price"}}}},
			{{Inlines: []Inline{{Text: "Pro", Bold: true}}}, {Inlines: []Inline{{Text: "€5"}}}},
		}}}, "Plan | Price\nPro | €5"},
		{"divider and heading", []Block{h(3, "More"), {Kind: KindDivider}}, "More\n\n---"},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText(tt.blocks); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"Tips & Tricks":         "tips-tricks",
		"  Hello, World!  ":     "hello-world",
		"Café Straße Ærø":       "cafe-strasse-aero",
		"🚀 Launch 2.0 🚀":        "launch-2-0",
		"What's Next?":          "what-s-next",
		"__already-a-slug__":    "already-a-slug",
		"日本語":                   "",
		"Halcytone — Week 48 ✨": "halcytone-week-48",
		"ﬁrst (ligature)":       "first-ligature",
	}
	for in, want := range tests {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
