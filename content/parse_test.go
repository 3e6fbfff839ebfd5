package content

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name       string
		doc        Document
		title      string
		headings   []string
		categories []string
		intro      int
		unknown    []string
		warnings   []string // substrings, in order
	}{
		{
			name:       "title heading over second-level sections",
			doc:        weekly(),
			title:      "Halcytone Weekly",
			headings:   []string{"Breathscape", "Hardware", "Tips", "Vision"},
			categories: []string{"breathscape", "hardware", "tips", "vision"},
			intro:      1,
		},
		{
			name:       "document title wins over the title heading",
			doc:        Document{Title: " Living doc ", Blocks: []Block{h(1, "Week 48"), h(2, "Tips"), para("x")}},
			title:      "Living doc",
			headings:   []string{"Tips"},
			categories: []string{"tips"},
		},
		{
			name:       "empty heading: its text joins the previous section, with a warning",
			doc:        doc(h(1, "Breathscape"), para("a"), h(1, "  "), para("Orphaned words under no heading"), h(1, "Tips"), para("b")),
			headings:   []string{"Breathscape", "Tips"},
			categories: []string{"breathscape", "tips"},
			warnings:   []string{`heading with no text was left out, so the text after it ("Orphaned words under no heading") joins section "Breathscape"`},
		},
		{
			name:       "empty heading before the first section: its text joins the intro",
			doc:        doc(h(1, "Weekly"), h(2, ""), para("Hello"), h(2, "Tips"), para("b")),
			title:      "Weekly",
			headings:   []string{"Tips"},
			categories: []string{"tips"},
			intro:      1,
			warnings:   []string{`("Hello") joins the intro`},
		},
		{
			name:       "empty heading followed by a heading loses nothing",
			doc:        doc(h(1, "Breathscape"), para("a"), h(1, "\t"), h(1, "Tips"), para("b")),
			headings:   []string{"Breathscape", "Tips"},
			categories: []string{"breathscape", "tips"},
		},
		{
			name:       "an invalid language tag is a warning",
			doc:        Document{Lang: "english please", Blocks: []Block{h(1, "Tips"), para("x")}},
			headings:   []string{"Tips"},
			categories: []string{"tips"},
			warnings:   []string{`language "english please" is not a language tag`},
		},
		{
			name:       "flat first-level sections have no title",
			doc:        doc(h(1, "Breathscape"), para("a"), h(1, "Tips"), para("b")),
			headings:   []string{"Breathscape", "Tips"},
			categories: []string{"breathscape", "tips"},
		},
		{
			name:       "a lone category heading with subheadings is a section",
			doc:        doc(h(1, "Tips"), para("a"), h(3, "Step one"), para("b")),
			headings:   []string{"Tips"},
			categories: []string{"tips"},
		},
		{
			name:       "synonyms",
			doc:        doc(h(2, "Product Updates"), h(2, "Devices"), h(2, "Tips and Tricks"), h(2, "What’s next?"), h(2, "tips & TRICKS")),
			headings:   []string{"Product Updates", "Devices", "Tips and Tricks", "What’s next?", "tips & TRICKS"},
			categories: []string{"breathscape", "hardware", "tips", "vision", "tips"},
			warnings:   []string{`sections "Tips and Tricks" and "tips & TRICKS" are both category "tips"`},
		},
		{
			name:       "numbering, emoji and punctuation",
			doc:        doc(h(2, "1. 🚀 Breathscape"), h(2, "02) Hardware 🔧"), h(2, "  🌬️ Breathing Tips!  "), h(2, "4 - Roadmap:")),
			headings:   []string{"1. 🚀 Breathscape", "02) Hardware 🔧", "🌬️ Breathing Tips!", "4 - Roadmap:"},
			categories: []string{"breathscape", "hardware", "tips", "vision"},
		},
		{
			name:       "unknown sections are kept and listed",
			doc:        doc(h(2, "Events"), para("Meetup"), h(2, "Tips"), para("x"), h(2, "2026 Vision")),
			headings:   []string{"Events", "Tips", "2026 Vision"},
			categories: []string{"", "tips", ""},
			unknown:    []string{"Events", "2026 Vision"},
		},
		{
			name:       "duplicate categories are both kept with a warning",
			doc:        doc(h(2, "Tips"), para("a"), h(2, "Breathing Tips"), para("b")),
			headings:   []string{"Tips", "Breathing Tips"},
			categories: []string{"tips", "tips"},
			warnings:   []string{`sections "Tips" and "Breathing Tips" are both category "tips"; both are kept`},
		},
		{
			name:       "intro before the first section, blank paragraphs dropped",
			doc:        doc(para(""), para("Hello."), para("  "), para("Second."), h(2, "Tips"), para("x")),
			headings:   []string{"Tips"},
			categories: []string{"tips"},
			intro:      2,
		},
		{
			name:       "converter warnings come first",
			doc:        Document{Warnings: []string{"image expired"}, Blocks: []Block{h(2, "Tips [for:]"), para("x")}},
			headings:   []string{"Tips"},
			categories: []string{"tips"},
			warnings:   []string{"image expired", `section "Tips": [for: …] names no segment`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, DefaultTaxonomy())
			if err != nil {
				t.Fatal(err)
			}
			if p.Title != tt.title {
				t.Errorf("title %q, want %q", p.Title, tt.title)
			}
			if got := headings(p); !reflect.DeepEqual(got, tt.headings) {
				t.Errorf("headings %q, want %q", got, tt.headings)
			}
			if got := categories(p); !reflect.DeepEqual(got, tt.categories) {
				t.Errorf("categories %q, want %q", got, tt.categories)
			}
			if len(p.Intro) != tt.intro {
				t.Errorf("intro has %d blocks, want %d", len(p.Intro), tt.intro)
			}
			if !reflect.DeepEqual(p.Unknown, tt.unknown) {
				t.Errorf("unknown %q, want %q", p.Unknown, tt.unknown)
			}
			if len(p.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %d", p.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(p.Warnings[i], w) {
					t.Errorf("warning %d %q, want it to contain %q", i, p.Warnings[i], w)
				}
			}
		})
	}
}

func TestParseKeepsSectionContent(t *testing.T) {
	d := weekly()
	d.Blocks = append(d.Blocks, h(3, "Further reading"), para("More."))
	p, err := Parse(d, DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	vision := p.Sections[3]
	want := []Block{para("Calm, measured."), h(3, "Further reading"), para("More.")}
	if !reflect.DeepEqual(vision.Blocks, want) {
		t.Errorf("vision blocks %+v, want %+v", vision.Blocks, want)
	}
	if p.Revision != "r1" || p.Source != "markdown:weekly.md" {
		t.Errorf("revision %q source %q not carried over", p.Revision, p.Source)
	}
	if p.Fingerprint == "" || vision.Fingerprint == "" {
		t.Error("fingerprints not set")
	}
	p.Sections[0].Blocks = append(p.Sections[0].Blocks, para("appended"))
	if got := p.Sections[1].Blocks[0]; !reflect.DeepEqual(got, para("Firmware 2.1 ships Monday.")) {
		t.Errorf("appending to one section changed the next: %+v", got)
	}
}

func TestParseSegments(t *testing.T) {
	tests := []struct {
		heading  string
		want     string
		segments []string
	}{
		{"Hardware [for: Pro, beta, pro ]", "Hardware", []string{"beta", "pro"}},
		{"Hardware [FOR beta]", "Hardware", []string{"beta"}},
		{"Hardware [for:beta,,  Early  Access ]", "Hardware", []string{"beta", "early access"}},
		{"Hardware [v2]", "Hardware [v2]", nil},
		{"Hardware [format]", "Hardware [format]", nil},
		{"Hardware [for: beta] soon", "Hardware [for: beta] soon", nil},
	}
	for _, tt := range tests {
		t.Run(tt.heading, func(t *testing.T) {
			p, err := Parse(doc(h(2, "Tips"), h(2, tt.heading)), DefaultTaxonomy())
			if err != nil {
				t.Fatal(err)
			}
			s := p.Sections[1]
			if s.Heading != tt.want || !reflect.DeepEqual(s.Segments, tt.segments) {
				t.Errorf("heading %q segments %q, want %q %q", s.Heading, s.Segments, tt.want, tt.segments)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  Document
		tax  Taxonomy
		is   error
		want []string
	}{
		{"no blocks", doc(), DefaultTaxonomy(), ErrEmpty, []string{"no text", "## Tips"}},
		{"only blank paragraphs", doc(para(" "), para("")), DefaultTaxonomy(), ErrEmpty, nil},
		{"no headings", doc(para("Just text.")), DefaultTaxonomy(), ErrNoSections, []string{"no headings", "Breathscape, Hardware, Tips, Vision"}},
		{
			"no heading names a category", doc(h(1, "News"), h(2, "Events"), h(2, "Jobs")), DefaultTaxonomy(), ErrNoSections,
			[]string{`"Events", "Jobs"`, "Breathscape, Hardware, Tips, Vision", "Rename a heading", "synonym"},
		},
		{"empty taxonomy", weekly(), Taxonomy{}, nil, []string{"no categories"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc, tt.tax)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseKeepsTheLanguage(t *testing.T) {
	p, err := Parse(Document{Lang: "PT-br", Blocks: []Block{h(1, "Tips"), para("x")}}, DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	if p.Lang != "pt-BR" {
		t.Errorf("lang %q, want pt-BR", p.Lang)
	}
}
