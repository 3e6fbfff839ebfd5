package linkcheck

import (
	"reflect"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestWarnings(t *testing.T) {
	link := func(text, url string) content.Inline { return content.Inline{Text: text, Link: url} }
	doc := content.Document{Blocks: []content.Block{
		{Kind: content.KindParagraph, Inlines: []content.Inline{
			link("safe", "https://h.example"), link("mail", "mailto:a@h.example"),
			link("click ", "javascript:alert(1)"), {Text: "me", Bold: true, Link: "javascript:alert(1)"},
		}},
		{Kind: content.KindList, Items: []content.ListItem{{
			Inlines:  []content.Inline{link("again", "javascript:alert(1)")},
			Children: []content.Block{{Kind: content.KindQuote, Children: []content.Block{{Kind: content.KindParagraph, Inlines: []content.Inline{link("rel", "../doc")}}}}},
		}}},
		{Kind: content.KindTable, Rows: [][]content.Cell{{{Inlines: []content.Inline{link("cell", "data:text/html,x")}}}}},
		{Kind: content.KindImage, URL: "data:image/png;base64,AAAA", Alt: "pic", Link: "vbscript:x"},
		{Kind: content.KindImage, URL: "https://img.example/a.png", Link: "https://h.example"},
	}}
	want := []string{
		`link "javascript:alert(1)" on "click me" is not an http, https or mailto URL; it shows as plain text in the newsletter`,
		`link "../doc" on "rel" is not an http, https or mailto URL; it shows as plain text in the newsletter`,
		`link "data:text/html,x" on "cell" is not an http, https or mailto URL; it shows as plain text in the newsletter`,
		`image "data:image/png;base64,AAAA" is not an http or https URL, so email clients cannot show it; upload it and link the https URL`,
		`link "vbscript:x" on "pic" is not an http, https or mailto URL; it shows as plain text in the newsletter`,
	}
	if got := Warnings(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n%q\nwant\n%q", got, want)
	}
}
