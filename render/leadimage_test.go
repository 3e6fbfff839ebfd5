package render

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestLeadImage(t *testing.T) {
	img := func(url, alt string) content.Block {
		return content.Block{Kind: content.KindImage, URL: url, Alt: alt}
	}
	captioned := content.Block{Kind: content.KindImage, URL: "https://img.example/c.png", Inlines: []content.Inline{{Text: "The sensor"}}}
	tests := []struct {
		name     string
		p        content.Parsed
		url, alt string
	}{
		{"none", content.Parsed{Intro: []content.Block{para(text("hi"))}}, "", ""},
		{"intro first", content.Parsed{Intro: []content.Block{img("https://img.example/a.png", "A calm desk")},
			Sections: []content.Section{{Blocks: []content.Block{img("https://img.example/b.png", "b")}}}}, "https://img.example/a.png", "A calm desk"},
		{"relative and unsafe skipped", content.Parsed{Intro: []content.Block{img("sensor.png", "x"), img("javascript:alert(1)", "y")},
			Sections: []content.Section{{Blocks: []content.Block{img("https://img.example/b.png", "b")}}}}, "https://img.example/b.png", "b"},
		{"segment's image stays out", content.Parsed{Sections: []content.Section{
			{Segments: []string{"beta"}, Blocks: []content.Block{img("https://img.example/beta.png", "beta only")}},
			{Blocks: []content.Block{{Kind: content.KindQuote, Children: []content.Block{captioned}}}}}}, "https://img.example/c.png", "The sensor"},
	}
	for _, tt := range tests {
		url, alt := leadImage(tt.p)
		if url != tt.url || alt != tt.alt {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, url, alt, tt.url, tt.alt)
		}
	}
}

func TestLeadImageSkipsOverlongURLs(t *testing.T) {
	long := "https://img.example/" + strings.Repeat("a", maxLeadImageURL)
	p := content.Parsed{Intro: []content.Block{
		{Kind: content.KindImage, URL: long, Alt: "too long"},
		{Kind: content.KindImage, URL: "https://img.example/ok.png", Alt: "fits"},
	}}
	if u, alt := leadImage(p); u != "https://img.example/ok.png" || alt != "fits" {
		t.Errorf("lead image %q %q, want the one whose URL networks accept", u, alt)
	}
}
