package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func longDocument(title, word string, sections, words int) content.Parsed {
	p := content.Parsed{Title: title}
	for i := range sections {
		body := strings.TrimSpace(strings.Repeat(word+" ", words))
		p.Sections = append(p.Sections, content.Section{
			Category: fmt.Sprintf("cat%d", i%3), Heading: fmt.Sprintf("Section %d", i),
			Blocks: []content.Block{para(text(body + "."))},
		})
	}
	return p
}

func TestSocialDraftsFitAndLink(t *testing.T) {
	r := newRenderer(t)
	family := "👨\u200d👩\u200d👧\u200d👦"
	docs := map[string]content.Parsed{
		"fixture":             fixtureParsed(),
		"long document":       longDocument("Halcytone Weekly", "breathing", 40, 300),
		"huge title":          longDocument(strings.Repeat("Extraordinarily long title ", 200), "calm", 3, 10),
		"CJK without spaces":  longDocument(strings.Repeat("呼吸法の新しい使い方", 40), strings.Repeat("呼吸", 200), 10, 1),
		"emoji everywhere":    longDocument(strings.Repeat(family+"🇯🇵👍🏽", 150), family+"🌬️", 20, 100),
		"URLs in text":        longDocument("Links", "https://example.com/"+strings.Repeat("x", 40), 20, 30),
		"empty document":      {},
		"title only, unicode": {Title: "Café déjà vu — ½ off"},
	}
	for name, p := range docs {
		t.Run(name, func(t *testing.T) {
			out, err := r.Render(p, fixtureEdition())
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Social) != len(Platforms()) {
				t.Fatalf("%d drafts, want one per platform", len(out.Social))
			}
			for i, d := range out.Social {
				if d.Platform != Platforms()[i] {
					t.Errorf("draft %d is for %s, want %s", i, d.Platform, Platforms()[i])
				}
				if got := Count(d.Platform, d.Text); got != d.Length || got > Limit(d.Platform) || d.Limit != Limit(d.Platform) {
					t.Errorf("%s: counts %d (reported %d), limit %d (reported %d)", d.Platform, got, d.Length, Limit(d.Platform), d.Limit)
				}
				if !strings.Contains(d.Text, out.Web.URL) {
					t.Errorf("%s: draft lacks the link %s:\n%s", d.Platform, out.Web.URL, d.Text)
				}
				if strings.TrimSpace(d.Text) == out.Web.URL && p.Title != "" {
					t.Errorf("%s: draft is only the link; the title should fit in part", d.Platform)
				}
			}
		})
	}
}

func TestSocialDraftUsesRoomItHas(t *testing.T) {
	r := newRenderer(t)
	out, err := r.Render(longDocument("Halcytone Weekly", "breathing", 40, 300), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range out.Social {
		if d.Length < d.Limit*3/4 {
			t.Errorf("%s: %d of %d used; a long document should fill most of a post", d.Platform, d.Length, d.Limit)
		}
		if !strings.HasPrefix(d.Text, "Halcytone Weekly") {
			t.Errorf("%s: draft should open with the title:\n%s", d.Platform, d.Text)
		}
		if !strings.Contains(d.Text, "…") {
			t.Errorf("%s: a cut highlight should end in an ellipsis:\n%s", d.Platform, d.Text)
		}
	}
}

func TestFitPrefix(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four", 10, "one two…"},
		{"one, two three", 6, "one…"},
		{"漢字漢字漢字", 4, "漢字漢…"},
		{"supercalifragilistic", 5, "supe…"},
	}
	for _, tt := range tests {
		if got := fitPrefix(tt.s, maxChars(tt.n)); got != tt.want {
			t.Errorf("fitPrefix(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
