package content

import (
	"regexp"
	"testing"
)

func mustParse(t *testing.T, d Document) Parsed {
	t.Helper()
	p, err := Parse(d, DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sectionPrints(p Parsed) []string {
	out := make([]string, len(p.Sections))
	for i, s := range p.Sections {
		out[i] = s.Fingerprint
	}
	return out
}

func TestFingerprintFormat(t *testing.T) {
	p := mustParse(t, weekly())
	re := regexp.MustCompile(`^sha256:[0-9a-f]{32}$`)
	for _, fp := range append(sectionPrints(p), p.Fingerprint) {
		if !re.MatchString(fp) {
			t.Errorf("fingerprint %q", fp)
		}
	}
}

// TestFingerprintStable pins one value: if it changes, every section of the
// next edition is reported changed, so change fingerprintVersion on purpose.
func TestFingerprintStable(t *testing.T) {
	s := Section{Category: "tips", Heading: "Tips", Blocks: []Block{para("Breathe out longer than in.")}}
	const pinned = "sha256:67b83a67e3e8d712cb4795dab7b1d0b5"
	if got := SectionFingerprint(s); got != pinned {
		t.Errorf("fingerprint %q, pinned %q: the encoding changed", got, pinned)
	}
}

func TestFingerprintIgnores(t *testing.T) {
	base := mustParse(t, weekly())
	tests := []struct {
		name   string
		mutate func(d *Document)
	}{
		{"revision and source", func(d *Document) { d.Revision, d.Source = "r2", "gdocs:abc" }},
		{"warnings", func(d *Document) { d.Warnings = []string{"x"} }},
		{"whitespace at the ends of runs", func(d *Document) {
			d.Blocks[5] = runs(Inline{Text: "  Firmware 2.1 "}, Inline{Text: "ships  Monday. "})
		}},
		{"runs split differently", func(d *Document) {
			d.Blocks[5] = runs(Inline{Text: "Firm"}, Inline{Text: "ware 2.1 ships"}, Inline{Text: " Monday."})
		}},
		{"blank paragraphs", func(d *Document) {
			d.Blocks = append(d.Blocks[:6], append([]Block{para(" ")}, d.Blocks[6:]...)...)
		}},
		{"fields a kind does not use", func(d *Document) { d.Blocks[5].Level = 3; d.Blocks[5].URL = "x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := weekly()
			tt.mutate(&d)
			p := mustParse(t, d)
			if p.Fingerprint != base.Fingerprint {
				t.Errorf("document fingerprint changed")
			}
			for i, fp := range sectionPrints(p) {
				if fp != base.Sections[i].Fingerprint {
					t.Errorf("section %q fingerprint changed", p.Sections[i].Heading)
				}
			}
		})
	}
}

func TestFingerprintDetects(t *testing.T) {
	base := mustParse(t, weekly())
	tests := []struct {
		name    string
		mutate  func(d *Document)
		section int // the only section whose fingerprint changes; -1 none
	}{
		{"one word", func(d *Document) { d.Blocks[5] = para("Firmware 2.1 ships Tuesday.") }, 1},
		{"bold", func(d *Document) {
			d.Blocks[7] = runs(Inline{Text: "Breathe out "}, Inline{Text: "longer", Bold: true}, Inline{Text: " than in."})
		}, 2},
		{"link", func(d *Document) { d.Blocks[9].Inlines[0].Link = "https://halcytone.example/vision" }, 3},
		{"heading", func(d *Document) { d.Blocks[2] = h(2, "Breathscape App") }, 0},
		{"segments", func(d *Document) { d.Blocks[4] = h(2, "Hardware [for: beta]") }, 1},
		{"line break", func(d *Document) { d.Blocks[3] = para("Sleep mode\nis live.") }, 0},
		{"title", func(d *Document) { d.Blocks[0] = h(1, "Halcytone Weekly #48") }, -1},
		{"intro", func(d *Document) { d.Blocks[1] = para("Hello, breathers.") }, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := weekly()
			tt.mutate(&d)
			p := mustParse(t, d)
			if p.Fingerprint == base.Fingerprint {
				t.Errorf("document fingerprint unchanged")
			}
			for i, fp := range sectionPrints(p) {
				if changed := fp != base.Sections[i].Fingerprint; changed != (i == tt.section) {
					t.Errorf("section %q changed=%v", p.Sections[i].Heading, changed)
				}
			}
		})
	}
}

func TestCanonInlines(t *testing.T) {
	got := canonInlines([]Inline{
		{Text: "  Hello "}, {Text: " world", Bold: true}, {Text: "! ", Bold: true}, {Text: "\n"}, {Text: " next\t line  "},
	})
	want := []Inline{{Text: "Hello "}, {Text: "world!", Bold: true}, {Text: "\nnext line"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("run %d %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestFingerprintCoversEveryKind changes each field a kind uses, one at a
// time, and expects a different fingerprint.
func TestFingerprintCoversEveryKind(t *testing.T) {
	item := func(s string) ListItem { return ListItem{Inlines: []Inline{{Text: s}}} }
	cell := func(s string) Cell { return Cell{Inlines: []Inline{{Text: s}}} }
	tests := []struct {
		name      string
		base      Block
		mutations []func(b *Block)
	}{
		{"heading", h(3, "Sub"), []func(b *Block){
			func(b *Block) { b.Level = 4 },
			func(b *Block) { b.Inlines[0].Underline = true },
		}},
		{"list", Block{Kind: KindList, Items: []ListItem{item("a"), item("b")}}, []func(b *Block){
			func(b *Block) { b.Ordered = true },
			func(b *Block) { b.Items = b.Items[:1] },
			func(b *Block) { b.Items[1].Inlines[0].Code = true },
			func(b *Block) { b.Items[0].Children = []Block{para("nested")} },
		}},
		{"todo", Block{Kind: KindTodo, Inlines: []Inline{{Text: "Pair"}}}, []func(b *Block){
			func(b *Block) { b.Checked = true },
			func(b *Block) { b.Inlines[0].Strike = true },
		}},
		{"quote", Block{Kind: KindQuote, Children: []Block{para("a")}}, []func(b *Block){
			func(b *Block) { b.Kind = KindCallout },
			func(b *Block) { b.Children = append(b.Children, para("b")) },
		}},
		{"callout", Block{Kind: KindCallout, Icon: "💡", Children: []Block{para("a")}}, []func(b *Block){
			func(b *Block) { b.Icon = "⚠️" },
			func(b *Block) { b.Children[0] = para("b") },
		}},
		{"code", Block{Kind: KindCode, Language: "go", Text: "a  b"}, []func(b *Block){
			func(b *Block) { b.Language = "sh" },
			func(b *Block) { b.Text = "a b" },
		}},
		{"image", Block{Kind: KindImage, URL: "https://i/a.png", Alt: "A"}, []func(b *Block){
			func(b *Block) { b.URL = "https://i/b.png" },
			func(b *Block) { b.Alt = "B" },
			func(b *Block) { b.Inlines = []Inline{{Text: "caption"}} },
		}},
		{"table", Block{Kind: KindTable, Rows: [][]Cell{{cell("a"), cell("b")}}}, []func(b *Block){
			func(b *Block) { b.HeaderRow = true },
			func(b *Block) { b.Rows[0] = b.Rows[0][:1] },
			func(b *Block) { b.Rows = append(b.Rows, []Cell{cell("c")}) },
			func(b *Block) { b.Rows[0][1].Inlines[0].Bold = true },
		}},
		{"divider", Block{Kind: KindDivider}, []func(b *Block){
			func(b *Block) { b.Kind = "future-kind" },
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := func(b Block) string { return SectionFingerprint(Section{Heading: "S", Blocks: []Block{b}}) }
			base := fp(tt.base)
			for i, mutate := range tt.mutations {
				b := cloneBlock(tt.base)
				mutate(&b)
				if fp(b) == base {
					t.Errorf("mutation %d did not change the fingerprint", i)
				}
			}
			if fp(cloneBlock(tt.base)) != base {
				t.Error("a copy has a different fingerprint")
			}
		})
	}
}

func cloneBlock(b Block) Block {
	b.Inlines = append([]Inline(nil), b.Inlines...)
	b.Children = append([]Block(nil), b.Children...)
	items := make([]ListItem, len(b.Items))
	for i, it := range b.Items {
		items[i] = ListItem{Inlines: append([]Inline(nil), it.Inlines...), Children: append([]Block(nil), it.Children...)}
	}
	b.Items = items
	rows := make([][]Cell, len(b.Rows))
	for i, row := range b.Rows {
		rows[i] = make([]Cell, len(row))
		for j, c := range row {
			rows[i][j] = Cell{Inlines: append([]Inline(nil), c.Inlines...)}
		}
	}
	b.Rows = rows
	return b
}
