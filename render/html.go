package render

import (
	"html"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// htmlWriter renders blocks as HTML: for email with inline styles on every
// element (mail clients drop <style>), for the web as plain semantic tags.
type htmlWriter struct {
	b strings.Builder
	// styles are the email's inline styles; nil writes for the web.
	styles emailStyles
	email  bool
	// inCell is set while a table cell is written: there the email's
	// word-breaking CSS is off, and long words break at <wbr>s.
	inCell bool
}

// blocksHTML renders blocks, for the email with styles or for the web when
// styles is nil; every piece of document text is escaped.
func blocksHTML(bs []content.Block, styles emailStyles) string {
	w := &htmlWriter{styles: styles, email: styles != nil}
	w.blocks(bs, 0)
	return w.b.String()
}

// open writes a start tag with attrs (name, value pairs; empty values are
// left out) and, for email, the element's inline style.
func (w *htmlWriter) open(tag, el string, attrs ...string) {
	w.b.WriteString("<" + tag)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			w.b.WriteString(" " + attrs[i] + `="` + html.EscapeString(attrs[i+1]) + `"`)
		}
	}
	if w.email {
		if s := w.styles.of(el); s != "" {
			w.b.WriteString(` style="` + s + `"`)
		}
	}
	w.b.WriteString(">")
}

func (w *htmlWriter) close(tag string) { w.b.WriteString("</" + tag + ">") }

func (w *htmlWriter) text(s string) { w.b.WriteString(html.EscapeString(s)) }

func (w *htmlWriter) blocks(bs []content.Block, depth int) {
	for i := 0; i < len(bs); i++ {
		if bs[i].Kind == content.KindTodo {
			j := i
			for j < len(bs) && bs[j].Kind == content.KindTodo {
				j++
			}
			w.todos(bs[i:j])
			i = j - 1
			continue
		}
		w.block(bs[i], depth)
	}
}

func (w *htmlWriter) block(b content.Block, depth int) {
	switch b.Kind {
	case content.KindHeading:
		tag := "h" + strconv.Itoa(min(max(b.Level, 3), 6))
		w.open(tag, tag)
		w.inlines(b.Inlines)
		w.close(tag)
	case content.KindList:
		w.list(b, depth)
	case content.KindQuote:
		w.open("blockquote", "blockquote")
		w.blocks(b.Children, depth+1)
		w.close("blockquote")
	case content.KindCallout:
		w.callout(b, depth)
	case content.KindCode:
		w.open("pre", "pre")
		w.open("code", "", "class", w.webClass(languageClass(b.Language)))
		w.text(b.Text)
		w.b.WriteString("</code></pre>")
	case content.KindImage:
		w.image(b)
	case content.KindTable:
		w.table(b)
	case content.KindDivider:
		w.open("hr", "hr")
	case content.KindToggle:
		w.toggle(b, depth)
	default: // paragraph, and any kind a newer source adds
		if len(b.Inlines) > 0 || len(b.Children) == 0 {
			w.open("p", "p")
			w.inlines(b.Inlines)
			w.close("p")
		}
		w.blocks(b.Children, depth)
	}
	w.b.WriteString("\n")
}

func languageClass(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "" || strings.IndexFunc(lang, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '+' || r == '#')
	}) >= 0 {
		return ""
	}
	return "language-" + lang
}

func (w *htmlWriter) list(b content.Block, depth int) {
	tag, el := "ul", "ul"
	if b.Ordered {
		tag, el = "ol", "ol"
	}
	if depth > 0 {
		el = "nested-list"
	}
	w.open(tag, el)
	for _, it := range b.Items {
		w.open("li", "li")
		w.inlines(it.Inlines)
		w.blocks(it.Children, depth+1)
		w.close("li")
	}
	w.close(tag)
}

func (w *htmlWriter) todos(bs []content.Block) {
	w.open("ul", "todo-list", "class", w.webClass("todo-list"))
	for _, b := range bs {
		mark, class := "☐ ", "todo"
		if b.Checked {
			mark, class = "☑ ", "todo done"
		}
		w.open("li", "li", "class", w.webClass(class))
		w.text(mark)
		w.inlines(b.Inlines)
		w.close("li")
	}
	w.close("ul")
	w.b.WriteString("\n")
}

// toggle is a details block on the web; email clients cannot open one, so
// the email shows the summary as a bold line over the content.
func (w *htmlWriter) toggle(b content.Block, depth int) {
	if w.email {
		w.open("p", "p")
		w.b.WriteString("<strong>")
		w.inlines(b.Inlines)
		w.b.WriteString("</strong>")
		w.close("p")
		w.blocks(b.Children, depth+1)
		return
	}
	w.open("details", "", "class", "toggle")
	w.open("summary", "")
	w.inlines(b.Inlines)
	w.close("summary")
	w.blocks(b.Children, depth+1)
	w.close("details")
}

// webClass returns class for the web; email styles elements inline.
func (w *htmlWriter) webClass(class string) string {
	if w.email {
		return ""
	}
	return class
}
