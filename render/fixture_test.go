package render

import (
	"time"

	"github.com/halcytone/contentgen/content"
)

func text(s string) content.Inline { return content.Inline{Text: s} }

func para(ins ...content.Inline) content.Block {
	return content.Block{Kind: content.KindParagraph, Inlines: ins}
}

func item(s string, children ...content.Block) content.ListItem {
	return content.ListItem{Inlines: []content.Inline{text(s)}, Children: children}
}

func cells(ss ...string) []content.Cell {
	out := make([]content.Cell, len(ss))
	for i, s := range ss {
		out[i] = content.Cell{Inlines: []content.Inline{text(s)}}
	}
	return out
}

// fixtureParsed is a hand-built document with every block kind, a
// targeted section, and text that tries to become markup or a merge tag.
func fixtureParsed() content.Parsed {
	return content.Parsed{
		Title:    "Halcytone Weekly",
		Revision: "r42",
		Intro: []content.Block{
			para(text("A calmer week: "), content.Inline{Text: "guided breathing", Bold: true}, text(" lands for everyone, and the sensor beta opens.")),
		},
		Sections: []content.Section{
			{Category: "breathscape", Heading: "Breathscape 🌬️", Blocks: []content.Block{
				para(text("Box breathing is now "), content.Inline{Text: "live", Italic: true}, text(" — see "),
					content.Inline{Text: "the guide", Link: "https://halcytone.example/guide?a=1&b=2"}, text(".")),
				{Kind: content.KindHeading, Level: 3, Inlines: []content.Inline{text("What's new")}},
				{Kind: content.KindList, Items: []content.ListItem{
					item("Sessions sync across devices", content.Block{Kind: content.KindList, Ordered: true, Items: []content.ListItem{item("Phone"), item("Watch")}}),
					item("Dark mode for night sessions"),
				}},
				{Kind: content.KindTodo, Checked: true, Inlines: []content.Inline{text("Ship box breathing")}},
				{Kind: content.KindTodo, Inlines: []content.Inline{text("Ship 4-7-8 breathing")}},
			}},
			{Category: "hardware", Heading: "Hardware", Segments: []string{"beta", "pro"}, Blocks: []content.Block{
				para(text("Sensor firmware 2.1 ships to "), content.Inline{Text: "beta", Code: true}, text(" testers.")),
				{Kind: content.KindCallout, Icon: "⚠️", Children: []content.Block{para(text("Charge the sensor before updating."))}},
				{Kind: content.KindCode, Language: "sh", Text: "halcytone-cli update --channel beta\n"},
				{Kind: content.KindImage, URL: "https://halcytone.example/sensor.png", Alt: "The sensor", Inlines: []content.Inline{text("Sensor v2")}},
				{Kind: content.KindTable, HeaderRow: true, Rows: [][]content.Cell{cells("Model", "Battery"), cells("S1", "5 days"), cells("S2", "9 days")}},
			}},
			{Category: "tips", Heading: "Tips", Segments: []string{"pro"}, Blocks: []content.Block{
				{Kind: content.KindQuote, Children: []content.Block{para(text("Exhale longer than you inhale."))}},
				{Kind: content.KindDivider},
				para(text("Try it tonight.")),
			}},
			{Heading: "Odds & ends", Blocks: []content.Block{
				para(text(`Literal {{ .Foo }} and {{first_name}} stay text; <script>alert(1)</script> too.`)),
				para(content.Inline{Text: "bad link", Link: "javascript:alert(1)"}, text(" and "),
					content.Inline{Text: "data link", Link: "data:text/html,<b>x</b>"}, text(" and "),
					content.Inline{Text: "write us", Link: "mailto:hello@halcytone.example"}),
				{Kind: content.KindImage, URL: `x" onerror="alert(1)`, Alt: `"><img src=x onerror=alert(1)>`},
			}},
		},
	}
}

func fixtureEdition() Edition {
	return Edition{
		ID:         "2026-W48",
		Date:       time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		WebBaseURL: "https://halcytone.example",
		Stats: []Stat{
			{Label: "breathing sessions", Value: 12400},
			{Label: "average session", Value: 6.5, Unit: "min"},
			{Label: "of sessions at night", Value: 42, Unit: "%"},
		},
	}
}
