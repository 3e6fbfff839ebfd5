package render

import (
	"strings"
	"testing"
)

func TestGraphemeCount(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want int
	}{
		{"ascii", "hello", 5},
		{"empty", "", 0},
		{"crlf is one", "a\r\nb", 3},
		{"combining acute", "e\u0301te\u0301", 3},
		{"stacked combining marks", "a\u0301\u0323\u0308", 1},
		{"ZWJ family", "👨\u200d👩\u200d👧\u200d👦", 1},
		{"ZWJ profession with skin tone", "👩🏽\u200d💻", 1},
		{"skin tone", "👍🏽", 1},
		{"flags pair up", "🇺🇸🇫🇷", 2},
		{"odd regional indicator", "🇺🇸🇫", 2},
		{"tag sequence flag", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 1},
		{"variation selector", "❤\ufe0f", 1},
		{"keycap", "1\ufe0f\u20e3", 1},
		{"hangul syllables", "한국어", 3},
		{"hangul jamo", "\u1100\u1161\u11a8", 1},
		{"CJK", "漢字かな", 4},
		{"devanagari conjunct", "नमस्ते", 3},
		{"devanagari vowel sign", "की", 1},
		{"thai sara am", "กำ", 1},
		{"control breaks", "a\tb", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := graphemeCount(tt.s); got != tt.want {
				t.Errorf("graphemeCount(%q) = %d, want %d (%q)", tt.s, got, tt.want, graphemes(tt.s))
			}
		})
	}
}

func TestCount(t *testing.T) {
	longURL := "https://example.com/" + strings.Repeat("a", 80)
	family := "👨\u200d👩\u200d👧\u200d👦"
	tests := []struct {
		name                 string
		s                    string
		x, bsky, masto, link int
	}{
		{"ascii", "Hello, world", 12, 12, 12, 12},
		{"url counts 23 on X and Mastodon", "Read " + longURL, 28, 5 + len(longURL), 28, 5 + len(longURL)},
		{"short url counts 23 too", "https://t.co", 23, 12, 23, 12},
		{"bare domain links on X only", "see example.com", 27, 15, 15, 15},
		{"country domain needs a path on X", "see example.de and t.co/abc", 19 + 23, 27, 27, 27},
		{"two URLs", "a https://a.example/x b http://b.example/y", 2*23 + 5, 42, 2*23 + 5, 42},
		{"trailing period is not in the URL", "go https://a.example/x.", 3 + 23 + 1, 23, 3 + 23 + 1, 23},
		{"address is not a URL", "mail a@b.com", 12, 12, 12, 12},
		{"CJK weighs two on X", "漢字かな", 8, 4, 4, 4},
		{"emoji", "🙂", 2, 1, 1, 2},
		{"ZWJ family is one emoji", family, 2, 1, 1, 11},
		{"flag", "🇯🇵", 2, 1, 1, 4},
		{"skin tone", "👍🏽", 2, 1, 1, 4},
		{"keycap", "1\ufe0f\u20e3", 2, 1, 1, 3},
		{"combining marks NFC on X", "e\u0301", 1, 1, 1, 2},
		{"combining mark without precomposed form", "q\u0301", 2, 1, 1, 2},
		{"general punctuation weighs one", "“quote” – dash", 14, 14, 14, 14},
		{"ellipsis weighs two on X", "…", 2, 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				platform string
				want     int
			}{{X, tt.x}, {Bluesky, tt.bsky}, {Mastodon, tt.masto}, {LinkedIn, tt.link}} {
				if got := Count(c.platform, tt.s); got != c.want {
					t.Errorf("Count(%s, %q) = %d, want %d", c.platform, tt.s, got, c.want)
				}
			}
		})
	}
}

func TestLimit(t *testing.T) {
	want := map[string]int{X: 280, Bluesky: 300, Mastodon: 500, LinkedIn: 3000, "myspace": 0}
	for p, n := range want {
		if got := Limit(p); got != n {
			t.Errorf("Limit(%s) = %d, want %d", p, got, n)
		}
	}
}

func TestFindURLs(t *testing.T) {
	tests := []struct {
		s    string
		bare bool
		want []string
	}{
		{"(see https://example.com/a_(b))", false, []string{"https://example.com/a_(b)"}},
		{"(see https://example.com/a)", false, []string{"https://example.com/a"}},
		{"https://example.com/?q=1&r=2#top, then", false, []string{"https://example.com/?q=1&r=2#top"}},
		{"http://localhost:8080/x", false, nil},
		{"www.example.com/path and foo.bar", true, []string{"www.example.com/path"}},
		{"file.md, README.md/x", true, []string{"README.md/x"}},
		{"user@example.com", true, nil},
		{"example.com", false, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range findURLs(tt.s, tt.bare) {
			got = append(got, tt.s[sp[0]:sp[1]])
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("findURLs(%q, %v) = %q, want %q", tt.s, tt.bare, got, tt.want)
		}
	}
}
