package render

import (
	"time"

	"github.com/halcytone/contentgen/content"
)

// sampleParsed is the edition New renders to check the templates: a
// section of each sort (untargeted, targeted, unknown category) and an
// intro, so every branch a template is likely to have runs once.
func sampleParsed() content.Parsed {
	para := func(s string) content.Block {
		return content.Block{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: s}}}
	}
	return content.Parsed{
		Title: "Sample edition",
		Intro: []content.Block{para("A short introduction.")},
		Sections: []content.Section{
			{Category: "breathscape", Heading: "Breathscape", Blocks: []content.Block{para("What changed in the app this week.")}},
			{Category: "hardware", Heading: "Hardware", Segments: []string{"beta"}, Blocks: []content.Block{
				{Kind: content.KindList, Items: []content.ListItem{{Inlines: []content.Inline{{Text: "A sensor update.", Link: "https://example.com"}}}}},
			}},
			{Heading: "Odds and ends", Blocks: []content.Block{para("Anything else.")}},
		},
	}
}

func sampleEdition() Edition {
	return Edition{
		ID:         "2026-W01",
		Date:       time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC),
		WebBaseURL: "https://example.com",
		Stats:      []Stat{{Label: "breathing sessions", Value: 1200}},
	}
}
