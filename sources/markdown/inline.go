package markdown

import (
	"fmt"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"

	"github.com/halcytone/contentgen/content"
)

// inlineResult is the runs of a block's inline content and the images
// lifted out of it.
type inlineResult struct {
	runs   []content.Inline
	images []content.Block
}

// inlines converts the inline children of n. In a table cell
// (imagesAsLinks) an image cannot become a block, so it becomes its alt
// text linked to the image.
func (c *converter) inlines(n ast.Node, imagesAsLinks bool) inlineResult {
	w := inlineWriter{c: c, imagesAsLinks: imagesAsLinks}
	w.walk(n, content.Inline{})
	return inlineResult{runs: w.runs, images: w.images}
}

type inlineWriter struct {
	c             *converter
	imagesAsLinks bool
	runs          []content.Inline
	images        []content.Block
}

// emit appends text with the formatting of st, merging with the previous
// run when the formatting is the same.
func (w *inlineWriter) emit(s string, st content.Inline) {
	if s == "" {
		return
	}
	st.Text = s
	if n := len(w.runs); n > 0 && s != "\n" && w.runs[n-1].Text != "\n" {
		last := w.runs[n-1]
		last.Text = s
		if last == st {
			w.runs[n-1].Text += s
			return
		}
	}
	w.runs = append(w.runs, st)
}

func (w *inlineWriter) walk(parent ast.Node, st content.Inline) {
	src := w.c.src
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Text:
			w.text(n, st)
		case *ast.String:
			w.emit(string(n.Value), st)
		case *ast.CodeSpan:
			code := st
			code.Code = true
			w.emit(codeText(n, src), code)
		case *ast.Emphasis:
			inner := st
			if n.Level >= 2 {
				inner.Bold = true
			} else {
				inner.Italic = true
			}
			w.walk(n, inner)
		case *extast.Strikethrough:
			inner := st
			inner.Strike = true
			w.walk(n, inner)
		case *ast.Link:
			inner := st
			inner.Link = w.c.checkLink(n, string(n.Destination))
			w.walk(n, inner)
		case *ast.AutoLink:
			inner := st
			inner.Link = string(n.URL(src))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(inner.Link), "mailto:") {
				inner.Link = "mailto:" + inner.Link
			}
			w.emit(string(n.Label(src)), inner)
		case *ast.Image:
			w.image(n, st)
		case *ast.RawHTML:
			w.rawHTML(n, st)
		case *extast.TaskCheckBox:
			// read by the list that holds the item
		case *extast.FootnoteLink:
			w.emit(fmt.Sprintf("[%d]", n.Index), st)
		case *extast.FootnoteBacklink:
			// the note's number already leads it
		case *mathSpan:
			w.c.warnf(parent, "math %q is shown as its TeX source, since email clients cannot typeset it", n.tex)
			code := st
			code.Code = true
			w.emit(n.tex, code)
		default:
			w.c.warnf(n, "%s is not supported; its text is kept", n.Kind())
			w.walk(n, st)
		}
	}
}

func (w *inlineWriter) text(n *ast.Text, st content.Inline) {
	v := n.Value(w.c.src)
	if !n.IsRaw() {
		v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
	}
	w.emit(string(v), st)
	switch {
	case n.HardLineBreak():
		w.emit("\n", content.Inline{})
	case n.SoftLineBreak():
		w.emit(" ", st)
	}
}

func (w *inlineWriter) image(n *ast.Image, st content.Inline) {
	alt := w.c.plainText(n)
	url := w.c.checkImage(n, string(n.Destination))
	if w.imagesAsLinks {
		st.Link = url
		if alt == "" {
			alt = "image"
		}
		w.emit(alt, st)
		return
	}
	img := content.Block{Kind: content.KindImage, URL: url, Alt: alt, Link: st.Link}
	if caption := string(n.Title); caption != "" {
		img.Inlines = []content.Inline{{Text: caption}}
	}
	w.images = append(w.images, img)
}

// rawHTML drops an inline tag, keeping a line break for <br>, and notes
// the tag for a warning. Comments are dropped silently.
func (w *inlineWriter) rawHTML(n *ast.RawHTML, st content.Inline) {
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(w.c.src))
	}
	tag := b.String()
	if strings.HasPrefix(tag, "<!--") {
		return
	}
	if tagName(tag) == "br" {
		w.emit("\n", content.Inline{})
	}
	line := w.c.line(n)
	w.c.htmlTags[line] = append(w.c.htmlTags[line], tag)
}

// codeText is a code span's text; line endings inside it become spaces as
// CommonMark requires.
func codeText(n *ast.CodeSpan, src []byte) string {
	var b strings.Builder
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		switch ch := ch.(type) {
		case *ast.Text:
			b.Write(ch.Value(src))
		case *ast.String:
			b.Write(ch.Value)
		}
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}

// plainText is the text of n's inline descendants, as for an image's alt.
func (c *converter) plainText(n ast.Node) string {
	w := inlineWriter{c: c, imagesAsLinks: true}
	w.walk(n, content.Inline{})
	return strings.Join(strings.Fields(content.Text(w.runs)), " ")
}

// checkLink returns dest, warning when renderers will not link it.
func (c *converter) checkLink(n ast.Node, dest string) string {
	dest = encodeSpaces(dest)
	if !hasScheme(dest, "http", "https", "mailto") {
		c.warnf(n, "link %q is not an http, https or mailto URL; it shows as plain text in the newsletter", dest)
	}
	return dest
}

// checkImage returns dest, warning when it cannot be shown in an email.
func (c *converter) checkImage(n ast.Node, dest string) string {
	dest = encodeSpaces(dest)
	if !hasScheme(dest, "http", "https") {
		c.warnf(n, "image %q is not an http or https URL, so email clients cannot show it; upload it and link the https URL", dest)
	}
	return dest
}

// encodeSpaces percent-encodes the spaces CommonMark allows in a
// destination written as <…>, which no URL may hold as they are.
func encodeSpaces(dest string) string {
	dest = strings.TrimSpace(dest)
	if !strings.ContainsAny(dest, " \t\n") {
		return dest
	}
	return strings.NewReplacer(" ", "%20", "\t", "%09", "\n", "%0A").Replace(dest)
}

func hasScheme(u string, schemes ...string) bool {
	scheme, _, ok := strings.Cut(strings.TrimSpace(u), ":")
	if !ok {
		return false
	}
	for _, s := range schemes {
		if strings.EqualFold(scheme, s) {
			return true
		}
	}
	return false
}
