package render

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var (
	colorDecl = regexp.MustCompile(`(?:^|;)\s*color\s*:\s*(#[0-9a-fA-F]{6})`)
	bgDecl    = regexp.MustCompile(`background-color\s*:\s*(#[0-9a-fA-F]{6})`)
)

// TestEmailColoursAreSafeInDarkMode checks every text of the email: it has
// a colour the email sets, on a background the email sets, with a WCAG
// contrast of at least 4.5:1. With both set, a client in dark mode that
// keeps the email's colours (it declares color-scheme: light dark) shows
// readable text, and none paints the default dark background behind the
// email's dark text.
func TestEmailColoursAreSafeInDarkMode(t *testing.T) {
	out, err := newRenderer(t).Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	page := out.Email.HTML
	for _, want := range []string{`<meta name="color-scheme" content="light dark">`, "color-scheme:light dark"} {
		if !strings.Contains(page, want) {
			t.Errorf("email lacks %q", want)
		}
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	var walk func(n *html.Node, fg, bg string)
	walk = func(n *html.Node, fg, bg string) {
		if n.Type == html.ElementNode {
			style := attrOf(n, "style")
			if strings.Contains(style, "display:none") || n.Data == "head" {
				return // the preheader, hidden from view
			}
			if m := colorDecl.FindStringSubmatch(style); m != nil {
				fg = m[1]
			}
			if m := bgDecl.FindStringSubmatch(style); m != nil {
				bg = m[1]
			} else if c := attrOf(n, "bgcolor"); c != "" {
				bg = c
			}
		}
		if n.Type == html.TextNode && strings.TrimSpace(n.Data) != "" {
			checked++
			where := strings.TrimSpace(n.Data)
			switch {
			case fg == "" || bg == "":
				t.Errorf("%q: colour %q on background %q; the email must set both", where, fg, bg)
			case contrast(fg, bg) < 4.5:
				t.Errorf("%q: %s on %s has contrast %.2f, want at least 4.5", where, fg, bg, contrast(fg, bg))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, fg, bg)
		}
	}
	walk(doc, "", "")
	if checked < 20 {
		t.Errorf("only %d texts checked", checked)
	}
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// contrast is the WCAG 2 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var ch [3]float64
	for i := range ch {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			panic(fmt.Sprintf("colour %q", hex))
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			ch[i] = c / 12.92
		} else {
			ch[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*ch[0] + 0.7152*ch[1] + 0.0722*ch[2]
}
