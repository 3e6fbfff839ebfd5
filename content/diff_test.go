package content

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestPrints(t *testing.T) {
	p := mustParse(t, doc(
		h(2, "Tips"), para("a"),
		h(2, "Community Events!"), para("b"),
		h(2, "Breathing tips"), para("c"),
		h(2, "Community events"), para("d"),
		h(2, "🚀"), para("e"),
	))
	var keys []string
	for _, sp := range p.Prints() {
		keys = append(keys, sp.Key)
	}
	want := []string{"tips", "unknown:community-events", "tips#2", "unknown:community-events#2", "unknown:section"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	first := p.Prints()[0]
	if first.Heading != "Tips" || first.Text != "a" || first.Fingerprint != p.Sections[0].Fingerprint {
		t.Errorf("print %+v", first)
	}
}

func TestPrintsComputesMissingFingerprints(t *testing.T) {
	s := Section{Category: "tips", Heading: "Tips", Blocks: []Block{para("x")}}
	got := Parsed{Sections: []Section{s}}.Prints()[0].Fingerprint
	if got != SectionFingerprint(s) {
		t.Errorf("fingerprint %q", got)
	}
}

func TestCompare(t *testing.T) {
	prev := mustParse(t, weekly()).Prints()
	edit := func(f func(d *Document)) Parsed {
		d := weekly()
		f(&d)
		return mustParse(t, d)
	}
	tests := []struct {
		name string
		cur  Parsed
		prev []SectionPrint
		want []SectionChange
	}{
		{"unchanged", mustParse(t, weekly()), prev, nil},
		{
			"first edition: everything is new", edit(func(d *Document) { d.Blocks = d.Blocks[:4] }), nil,
			[]SectionChange{
				{Key: IntroKey, Heading: "Title and introduction", Change: ChangeNew, Diff: "+ Halcytone Weekly\n+ Hello breathers."},
				{Key: "breathscape", Heading: "Breathscape", Change: ChangeNew, Diff: "+ Sleep mode is live."},
			},
		},
		{
			"intro edited", edit(func(d *Document) { d.Title = "Halcytone Weekly, late edition" }), prev,
			[]SectionChange{{Key: IntroKey, Heading: "Title and introduction", Change: ChangeChanged, Diff: "- Halcytone Weekly\n+ Halcytone Weekly, late edition"}},
		},
		{
			"one word changed", edit(func(d *Document) { d.Blocks[7] = para("Breathe out twice as long as in.") }), prev,
			[]SectionChange{{Key: "tips", Heading: "Tips", Change: ChangeChanged, Diff: "- Breathe out longer than in.\n+ Breathe out twice as long as in."}},
		},
		{
			"formatting only", edit(func(d *Document) { d.Blocks[7].Inlines[0].Italic = true }), prev,
			[]SectionChange{{Key: "tips", Heading: "Tips", Change: ChangeChanged, Diff: "(same text; formatting, links or segments changed)"}},
		},
		{
			"renamed heading of the same category", edit(func(d *Document) { d.Blocks[6] = h(2, "Tips & Tricks") }), prev,
			[]SectionChange{{Key: "tips", Heading: "Tips & Tricks", Change: ChangeChanged, Diff: "- Tips\n+ Tips & Tricks"}},
		},
		{
			"new, changed and removed in order", edit(func(d *Document) {
				d.Blocks = append(d.Blocks[:6], h(2, "Events"), para("Meetup in Leeds."), h(2, "Vision"), para("Calm."))
			}), prev,
			[]SectionChange{
				{Key: "unknown:events", Heading: "Events", Change: ChangeNew, Diff: "+ Meetup in Leeds."},
				{Key: "vision", Heading: "Vision", Change: ChangeChanged, Diff: "- Calm, measured.\n+ Calm."},
				{Key: "tips", Heading: "Tips", Change: ChangeRemoved, Diff: "- Breathe out longer than in."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare(tt.prev, tt.cur)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("changes\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestLineDiff(t *testing.T) {
	many := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s %d\n", prefix, i)
		}
		return b.String()
	}
	tests := []struct {
		name, a, b, want string
	}{
		{"equal", "a\nb", "a\nb", ""},
		{"blank lines ignored", "a\n\nb\n", "a\nb", ""},
		{"middle line", "a\nb\nc", "a\nB\nc", "- b\n+ B"},
		{"insert", "a\nc", "a\nb\nc", "+ b"},
		{"delete", "a\nb\nc", "a\nc", "- b"},
		{"interleaved keeps common lines", "a\nx\nb\ny\nc", "a\nb\nc\nz", "- x\n- y\n+ z"},
		{"cut after 12 lines", many("old", 8), many("new", 8), strings.TrimSuffix(
			"- old 0\n- old 1\n- old 2\n- old 3\n- old 4\n- old 5\n- old 6\n- old 7\n+ new 0\n+ new 1\n+ new 2\n… 5 more changed lines", "\n")},
		{"long line clipped", "", strings.Repeat("a", 200), "+ " + strings.Repeat("a", 159) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LineDiff(tt.a, tt.b); got != tt.want {
				t.Errorf("diff\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLineDiffLargeInputFallsBack(t *testing.T) {
	a := strings.Repeat("same\nold\n", 600)
	b := strings.Repeat("same\nnew\n", 600)
	got := strings.Split(LineDiff(a, b), "\n")
	if len(got) != 12 || got[0] != "- old" || !strings.HasPrefix(got[11], "… ") {
		t.Errorf("diff %q", got)
	}
}
