package gdocs

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/imagestore"
	"github.com/halcytone/contentgen/sources/internal/inline"
)

// piece is a stretch of a paragraph: text runs, or a block (an image or a
// horizontal rule) standing between them.
type piece struct {
	runs  []content.Inline
	block *content.Block
}

func empty(pieces []piece) bool {
	for _, pc := range pieces {
		if pc.block != nil || len(inline.Trim(pc.runs)) > 0 {
			return false
		}
	}
	return true
}

// elements converts a paragraph's elements. flat is for table cells and
// footnotes, which hold only text: images become links there and
// horizontal rules are left out.
func (c *converter) elements(els []*docs.ParagraphElement, flat bool) []piece {
	var out []piece
	var runs []content.Inline
	block := func(b content.Block) {
		out = append(out, piece{runs: runs}, piece{block: &b})
		runs = nil
	}
	for _, el := range els {
		switch {
		case el == nil:
		case el.TextRun != nil:
			// "\n" ends the paragraph; a vertical tab is a line break in it.
			text := strings.TrimSuffix(el.TextRun.Content, "\n")
			runs = inline.Append(runs, strings.ReplaceAll(text, "\v", "\n"), style(el.TextRun.TextStyle))
		case el.InlineObjectElement != nil:
			id := el.InlineObjectElement.InlineObjectId
			img, ok := c.image(id, embedded(c.res.objects[id].InlineObjectProperties))
			switch {
			case ok && flat:
				runs = inline.Append(runs, cmp.Or(img.Alt, "image"), content.Inline{Link: img.URL})
			case ok:
				block(img)
			}
		case el.HorizontalRule != nil:
			if !flat {
				block(content.Block{Kind: content.KindDivider})
			}
		case el.Person != nil:
			runs = inline.Append(runs, personText(el.Person), style(el.Person.TextStyle))
		case el.RichLink != nil:
			runs = c.richLink(runs, el.RichLink)
		case el.DateElement != nil:
			runs = inline.Append(runs, dateText(el.DateElement), style(el.DateElement.TextStyle))
		case el.FootnoteReference != nil:
			n := c.footnote(el.FootnoteReference.FootnoteId)
			runs = inline.Append(runs, fmt.Sprintf("[%d]", n), style(el.FootnoteReference.TextStyle))
		case el.Equation != nil:
			c.warn("equation at index %d of Google Docs document %s: the Docs API does not export equations, "+
				"so the edition shows [equation]; write it as text or insert it as an image", el.StartIndex, c.docID)
			runs = inline.Append(runs, "[equation]", content.Inline{})
		}
		// autoText (page numbers), pageBreak and columnBreak have nothing to
		// show in an edition.
	}
	return append(out, piece{runs: runs})
}

func style(ts *docs.TextStyle) content.Inline {
	if ts == nil {
		return content.Inline{}
	}
	in := content.Inline{
		Bold:      ts.Bold,
		Italic:    ts.Italic,
		Strike:    ts.Strikethrough,
		Underline: ts.Underline,
		Code:      monospace(ts.WeightedFontFamily),
	}
	if ts.Link != nil {
		// Docs underlines every link; the underline belongs to the link.
		// Links to a heading, bookmark or tab are dropped (see package doc).
		in.Underline = false
		in.Link = ts.Link.Url
	}
	return in
}

// monospace reports whether a font family is a fixed-width one, which
// editors use for code.
func monospace(f *docs.WeightedFontFamily) bool {
	if f == nil {
		return false
	}
	name := strings.ToLower(f.FontFamily)
	for _, part := range []string{"mono", "code", "courier", "consol", "menlo", "monaco", "cousine"} {
		if strings.Contains(name, part) {
			return true
		}
	}
	return false
}

func personText(p *docs.Person) string {
	if p.PersonProperties == nil {
		return ""
	}
	return cmp.Or(p.PersonProperties.Name, p.PersonProperties.Email)
}

func (c *converter) richLink(runs []content.Inline, rl *docs.RichLink) []content.Inline {
	props := rl.RichLinkProperties
	if props == nil {
		return runs
	}
	s := style(rl.TextStyle)
	s.Link = props.Uri
	return inline.Append(runs, cmp.Or(props.Title, props.Uri), s)
}

func dateText(d *docs.DateElement) string {
	props := d.DateElementProperties
	if props == nil {
		return ""
	}
	if props.DisplayText != "" {
		return props.DisplayText
	}
	if t, err := time.Parse(time.RFC3339, props.Timestamp); err == nil {
		return t.UTC().Format("2 January 2006")
	}
	return props.Timestamp
}

func embedded(p *docs.InlineObjectProperties) *docs.EmbeddedObject {
	if p == nil {
		return nil
	}
	return p.EmbeddedObject
}

func (c *converter) positionedImage(id string) (content.Block, bool) {
	var emb *docs.EmbeddedObject
	if p := c.res.positioned[id].PositionedObjectProperties; p != nil {
		emb = p.EmbeddedObject
	}
	return c.image(id, emb)
}

// image converts an embedded object to an image block, copying it to the
// image store when one is configured.
func (c *converter) image(id string, emb *docs.EmbeddedObject) (content.Block, bool) {
	if emb == nil || emb.ImageProperties == nil || emb.ImageProperties.ContentUri == "" {
		c.warn("object %s in Google Docs document %s is not an image the Docs API exports (a drawing?) and is left out; "+
			"insert it as an image to include it", id, c.docID)
		return content.Block{}, false
	}
	url, ok := c.images[id]
	if !ok {
		what := fmt.Sprintf("image %s in Google Docs document %s", id, c.docID)
		var warning string
		url, warning = imagestore.Keep(c.ctx, c.store, emb.ImageProperties.ContentUri, "gdocs-"+c.docID+"-"+id, what, "about 30 minutes")
		if warning != "" {
			c.warnings = append(c.warnings, warning)
		}
		c.images[id] = url
	}
	return content.Block{Kind: content.KindImage, URL: url, Alt: strings.TrimSpace(cmp.Or(emb.Description, emb.Title))}, true
}
