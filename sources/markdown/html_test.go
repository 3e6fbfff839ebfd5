package markdown

import (
	"reflect"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

// wordPaste is what Word puts in a document pasted as HTML: styled spans,
// o:p elements, conditional comments, a list, a table and a link.
const wordPaste = `<div class=WordSection1>
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->
<p class=MsoNormal><b><span style='font-size:12.0pt'>Firmware 2.1</span></b><span style='font-size:12.0pt'> ships on
<i>Monday</i>; read the <a href="https://halcytone.example/notes">release notes</a>.<o:p></o:p></span></p>
<ul style='margin-top:0cm'>
 <li class=MsoNormal>Longer battery life</li>
 <li class=MsoNormal>Quieter fan<ol><li>at night</li></ol></li>
</ul>
<table class=MsoTableGrid border=1>
 <tr><th>Model</th><th>Battery</th></tr>
 <tr><td><p class=MsoNormal>Halo</p></td><td>12 <u>hours</u></td></tr>
</table>
<h3>Known issues</h3>
<p>None &mdash; <img src="https://img.example/ok.png" alt="all good"></p>
<script>alert(1)</script>
</div>
`

func TestConvertPastedHTML(t *testing.T) {
	d, err := Convert([]byte("## Hardware\n\n" + wordPaste))
	if err != nil {
		t.Fatal(err)
	}
	want := []content.Block{
		heading(2, "Hardware"),
		para(content.Inline{Text: "Firmware 2.1", Bold: true}, txt(" ships on "), content.Inline{Text: "Monday", Italic: true},
			txt("; read the "), content.Inline{Text: "release notes", Link: "https://halcytone.example/notes"}, txt(".")),
		{Kind: content.KindList, Items: []content.ListItem{
			{Inlines: []content.Inline{txt("Longer battery life")}},
			{Inlines: []content.Inline{txt("Quieter fan")}, Children: []content.Block{
				{Kind: content.KindList, Ordered: true, Items: []content.ListItem{{Inlines: []content.Inline{txt("at night")}}}},
			}},
		}},
		{Kind: content.KindTable, HeaderRow: true, Rows: [][]content.Cell{
			{{Inlines: []content.Inline{txt("Model")}}, {Inlines: []content.Inline{txt("Battery")}}},
			{{Inlines: []content.Inline{txt("Halo")}}, {Inlines: []content.Inline{txt("12 "), {Text: "hours", Underline: true}}}},
		}},
		heading(3, "Known issues"),
		para(txt("None —")),
		image("https://img.example/ok.png", "all good"),
	}
	if !reflect.DeepEqual(d.Blocks, want) {
		t.Errorf("blocks\n%+v\nwant\n%+v", d.Blocks, want)
	}
	if w := strings.Join(d.Warnings, "\n"); !strings.Contains(w, "line 3: HTML is not passed through: its text, links, lists and tables are kept") {
		t.Errorf("warnings %q", d.Warnings)
	}
	if strings.Contains(content.PlainText(d.Blocks), "alert") {
		t.Error("script content kept")
	}
}

func TestConvertHTMLNestedDeep(t *testing.T) {
	src := "<div>" + strings.Repeat("<span>", 5000) + "deep text" + strings.Repeat("</span>", 5000) + "</div>\n"
	d, err := Convert([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := content.PlainText(d.Blocks); got != "deep text" {
		t.Errorf("text %q", got)
	}
}

func TestFrontMatterLang(t *testing.T) {
	d, err := Convert([]byte("---\ntitle: T\nlang: pt-BR\n---\nx\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Lang != "pt-BR" || len(d.Warnings) != 0 {
		t.Errorf("lang %q, warnings %q", d.Lang, d.Warnings)
	}
}

func TestFrontMatterDir(t *testing.T) {
	d, err := Convert([]byte("---\ntitle: نشرة\nlang: ar\ndir: rtl\n---\nx\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Dir != "rtl" || d.Lang != "ar" || len(d.Warnings) != 0 {
		t.Errorf("dir %q, lang %q, warnings %q", d.Dir, d.Lang, d.Warnings)
	}
}
