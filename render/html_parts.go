package render

import (
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// emailContentWidth is the width in pixels inside the email's 600 px
// column and its 32 px padding: the widest an image may be shown.
const emailContentWidth = 536

func (w *htmlWriter) callout(b content.Block, depth int) {
	if w.email {
		// A table, so Outlook keeps the background and the icon beside the text.
		w.open("table", "callout", "role", "presentation", "width", "100%", "cellpadding", "0", "cellspacing", "0", "border", "0")
		w.b.WriteString("<tr>")
		w.open("td", "callout-icon", "width", "36", "valign", "top", "bgcolor", w.styles.bgcolor("callout-icon"))
		w.icon(b.Icon)
		w.close("td")
		w.open("td", "callout-body", "valign", "top", "bgcolor", w.styles.bgcolor("callout-body"))
		w.blocks(b.Children, depth+1)
		w.b.WriteString("</td></tr></table>")
		return
	}
	w.open("aside", "", "class", "callout")
	if b.Icon != "" {
		w.open("span", "", "class", "callout-icon", "aria-hidden", "true")
		w.icon(b.Icon)
		w.close("span")
	}
	w.open("div", "", "class", "callout-body")
	w.blocks(b.Children, depth+1)
	w.b.WriteString("</div></aside>")
}

// icon writes a callout icon: an emoji, or a small image when the source
// gave an image URL.
func (w *htmlWriter) icon(icon string) {
	switch {
	case icon == "":
		w.text("ℹ️")
	case imageURL(icon) != "":
		w.open("img", "", "src", imageURL(icon), "alt", "", "width", "20", "height", "20")
	case strings.Contains(icon, "://"):
		w.text("ℹ️")
	default:
		w.text(icon)
	}
}

func (w *htmlWriter) image(b content.Block) {
	src := imageURL(b.URL)
	caption := content.Text(b.Inlines)
	if src == "" {
		// No safe source: keep what the image said, as text.
		if alt := strings.TrimSpace(b.Alt); alt != "" || caption != "" {
			w.open("p", "p")
			w.text(imageLabel(alt))
			if caption != "" {
				w.text(" ")
				w.inlines(b.Inlines)
			}
			w.close("p")
		}
		return
	}
	w.open("figure", "figure")
	link := linkURL(b.Link)
	if link != "" {
		w.open("a", "a", "href", link)
	}
	w.b.WriteString("<img")
	w.b.WriteString(` src="` + html.EscapeString(src) + `" alt="` + html.EscapeString(b.Alt) + `"`)
	if w.email {
		w.b.WriteString(` width="` + strconv.Itoa(emailContentWidth) + `" border="0" style="` + w.styles.of("img") + `">`)
	} else {
		w.b.WriteString(` style="max-width:100%;height:auto" loading="lazy">`)
	}
	if link != "" {
		w.close("a")
	}
	if caption != "" {
		w.open("figcaption", "caption")
		w.inlines(b.Inlines)
		w.close("figcaption")
	}
	w.close("figure")
}

func imageLabel(alt string) string {
	if alt == "" {
		return "[Image]"
	}
	return "[Image: " + alt + "]"
}

func (w *htmlWriter) table(b content.Block) {
	cols := 0
	for _, r := range b.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return
	}
	if w.email {
		// A table wider than a phone scrolls inside its frame instead of
		// widening the whole email.
		w.open("div", "table-frame")
		defer w.close("div")
		w.open("table", "table", "width", "100%", "cellpadding", "0", "cellspacing", "0", "border", "0")
	} else {
		w.open("table", "")
	}
	body := b.Rows
	if b.HeaderRow {
		w.b.WriteString(w.webOnly("<thead>"))
		w.row(b.Rows[0], cols, "th")
		w.b.WriteString(w.webOnly("</thead>"))
		body = body[1:]
	}
	if len(body) > 0 {
		w.b.WriteString(w.webOnly("<tbody>"))
		for _, r := range body {
			w.row(r, cols, "td")
		}
		w.b.WriteString(w.webOnly("</tbody>"))
	}
	w.close("table")
}

// row writes one table row padded to cols cells.
func (w *htmlWriter) row(cells []content.Cell, cols int, cell string) {
	var attrs []string
	switch {
	case cell == "th" && w.email:
		attrs = []string{"align", "left", "bgcolor", "#f4f6f8"}
	case cell == "th":
		attrs = []string{"scope", "col"}
	}
	w.b.WriteString("<tr>")
	for c := range cols {
		if c >= len(cells) {
			w.open(cell, cell, attrs...)
			w.close(cell)
			continue
		}
		if cells[c].Merged {
			continue // covered by a merged cell's span
		}
		w.open(cell, cell, append(attrs, "rowspan", span(cells[c].RowSpan), "colspan", span(cells[c].ColSpan))...)
		w.inCell = true
		w.inlines(cells[c].Inlines)
		w.inCell = false
		w.close(cell)
	}
	w.b.WriteString("</tr>")
}

// longToken is a word or URL long enough to push a phone's email wider
// than its screen.
var longToken = regexp.MustCompile(`\S{21,}`)

// breakable escapes s for HTML, letting long words and URLs break: a <wbr>
// follows URL punctuation and at least every 14 characters. It serves table
// cells, where the email's word-breaking CSS would squeeze short words
// letter by letter; every email client honours <wbr>.
func breakable(s string) string {
	if !hasLongToken(s) {
		return html.EscapeString(s)
	}
	var b strings.Builder
	last := 0
	for _, m := range longToken.FindAllStringIndex(s, -1) {
		b.WriteString(html.EscapeString(s[last:m[0]]))
		n := 0
		for _, r := range s[m[0]:m[1]] {
			if n >= 14 {
				b.WriteString("<wbr>")
				n = 0
			}
			b.WriteString(html.EscapeString(string(r)))
			n++
			if n >= 4 && strings.ContainsRune("/?&=-_.#:+", r) {
				b.WriteString("<wbr>")
				n = 0
			}
		}
		last = m[1]
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}

// hasLongToken is longToken.MatchString without the regexp's cost, for
// the common text that has no long word.
func hasLongToken(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			n = 0
		default:
			if n++; n > 20 {
				return true
			}
		}
	}
	return false
}

// span is a rowspan or colspan attribute value, "" (left out) for one.
func span(n int) string {
	if n < 2 {
		return ""
	}
	return strconv.Itoa(n)
}

func (w *htmlWriter) webOnly(s string) string {
	if w.email {
		return ""
	}
	return s
}

// inlines writes formatted text; a link whose URL is not safe loses its
// anchor but keeps its text.
func (w *htmlWriter) inlines(ins []content.Inline) {
	for _, g := range groupInlines(ins) {
		if g.link != "" {
			w.open("a", "a", "href", g.link)
		}
		for _, in := range g.runs {
			w.run(in)
		}
		if g.link != "" {
			w.close("a")
		}
	}
}

func (w *htmlWriter) run(in content.Inline) {
	s := html.EscapeString(in.Text)
	if w.email && w.inCell {
		s = breakable(in.Text)
	}
	s = strings.ReplaceAll(s, "\n", "<br>")
	wrap := func(tag, el string) {
		style := ""
		if st := w.styles.of(el); st != "" {
			style = ` style="` + st + `"`
		}
		s = "<" + tag + style + ">" + s + "</" + tag + ">"
	}
	if in.Code {
		wrap("code", "code")
	}
	if in.Strike {
		wrap("s", "")
	}
	if in.Underline {
		wrap("u", "")
	}
	if in.Italic {
		wrap("em", "")
	}
	if in.Bold {
		wrap("strong", "")
	}
	w.b.WriteString(s)
}
