package gdocs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/imagestore"
	"github.com/halcytone/contentgen/sources/internal/cleantext"
	"github.com/halcytone/contentgen/sources/internal/inline"
	"github.com/halcytone/contentgen/sources/internal/linkcheck"
)

// resources are the per-tab maps paragraphs refer to by ID.
type resources struct {
	tabID      string
	lists      map[string]docs.List
	objects    map[string]docs.InlineObject
	positioned map[string]docs.PositionedObject
	footnotes  map[string]docs.Footnote
}

// converter walks a document once, appending blocks in reading order.
type converter struct {
	ctx      context.Context
	docID    string
	store    imagestore.Store
	res      resources
	title    string
	blocks   []content.Block
	warnings []string
	list     listBuilder
	// notes are footnote bodies in order of first reference; noteNums maps
	// tab and footnote ID to its number.
	notes    [][]content.Inline
	noteNums map[string]int
	// images maps an object ID to the URL already chosen for it.
	images map[string]string
	// rtl and ltr count the paragraphs with text in each direction.
	rtl, ltr int
}

func convert(ctx context.Context, d *docs.Document, store imagestore.Store) content.Document {
	c := &converter{
		ctx: ctx, docID: d.DocumentId, store: store,
		noteNums: map[string]int{}, images: map[string]string{},
	}
	if len(d.Tabs) == 0 {
		c.res = resources{lists: d.Lists, objects: d.InlineObjects, positioned: d.PositionedObjects, footnotes: d.Footnotes}
		if d.Body != nil {
			c.body(d.Body.Content)
		}
	}
	for i, t := range d.Tabs {
		if t != nil {
			c.tab(t, 0, i == 0)
		}
	}
	c.flush()
	c.appendFootnotes()
	title := c.title
	if title == "" {
		title = strings.TrimSpace(d.Title)
	}
	if c.blocks == nil {
		c.blocks = []content.Block{}
	}
	doc := content.Document{Title: title, Revision: d.RevisionId, Dir: c.direction(), Blocks: c.blocks, Warnings: c.warnings}
	doc.Warnings = append(doc.Warnings, linkcheck.Warnings(doc)...)
	cleantext.Document(&doc)
	return doc
}

// tab converts a tab and then its child tabs. Every tab but the main one
// opens with its title as a heading one level deeper than its parent's.
func (c *converter) tab(t *docs.Tab, depth int, main bool) {
	if dt := t.DocumentTab; dt != nil {
		c.flush()
		c.res = resources{lists: dt.Lists, objects: dt.InlineObjects, positioned: dt.PositionedObjects, footnotes: dt.Footnotes}
		var body []*docs.StructuralElement
		if dt.Body != nil {
			body = dt.Body.Content
		}
		if p := t.TabProperties; p != nil {
			c.res.tabID = p.TabId
			if title := strings.TrimSpace(p.Title); !main && title != "" && !strings.EqualFold(title, firstHeading(body)) && hasContent(t) {
				c.add(content.Block{Kind: content.KindHeading, Level: min(depth+1, 6), Inlines: inline.Plain(title)})
			}
		}
		c.body(body)
	}
	for _, child := range t.ChildTabs {
		if child != nil {
			c.tab(child, depth+1, false)
		}
	}
}

// hasContent reports whether a tab or one of its child tabs has any text,
// image or table, so an empty tab adds no empty section.
func hasContent(t *docs.Tab) bool {
	if dt := t.DocumentTab; dt != nil && dt.Body != nil {
		for _, el := range dt.Body.Content {
			switch {
			case el == nil:
			case el.Table != nil:
				return true
			case el.Paragraph != nil:
				for _, pe := range el.Paragraph.Elements {
					if pe != nil && (pe.TextRun == nil || strings.TrimSpace(pe.TextRun.Content) != "") {
						return true
					}
				}
			}
		}
	}
	for _, child := range t.ChildTabs {
		if child != nil && hasContent(child) {
			return true
		}
	}
	return false
}

// firstHeading returns the text of the first non-empty paragraph when it is
// a title or heading.
func firstHeading(body []*docs.StructuralElement) string {
	for _, el := range body {
		if el == nil || el.Paragraph == nil {
			continue
		}
		var text strings.Builder
		for _, pe := range el.Paragraph.Elements {
			if pe != nil && pe.TextRun != nil {
				text.WriteString(pe.TextRun.Content)
			}
		}
		if strings.TrimSpace(text.String()) == "" {
			continue
		}
		style := namedStyle(el.Paragraph)
		if style == "TITLE" || headingLevel(style) > 0 {
			return strings.TrimSpace(text.String())
		}
		return ""
	}
	return ""
}

// direction is the writing direction most of the document's paragraphs
// are set to in Docs (Format > Paragraph direction), "" when none says.
func (c *converter) direction() string {
	switch {
	case c.rtl > c.ltr:
		return "rtl"
	case c.ltr > 0:
		return "ltr"
	}
	return ""
}

func (c *converter) body(els []*docs.StructuralElement) {
	for _, el := range els {
		switch {
		case el == nil:
			// Skipped: the API never sends null, a malformed answer may.
		case el.Paragraph != nil:
			c.paragraph(el.Paragraph)
		case el.Table != nil:
			c.flush()
			for _, b := range c.table(el.Table) {
				c.add(b)
			}
		}
		// A sectionBreak or tableOfContents has no content of its own.
	}
}

func (c *converter) paragraph(p *docs.Paragraph) {
	pieces := c.elements(p.Elements, false)
	if p.ParagraphStyle != nil && !empty(pieces) {
		switch p.ParagraphStyle.Direction {
		case "RIGHT_TO_LEFT":
			c.rtl++
		case "LEFT_TO_RIGHT":
			c.ltr++
		}
	}
	for _, id := range p.PositionedObjectIds {
		if img, ok := c.positionedImage(id); ok {
			pieces = append(pieces, piece{block: &img})
		}
	}
	if p.Bullet != nil {
		c.listItem(p.Bullet, pieces)
		return
	}
	if empty(pieces) {
		// Blank lines neither show nor end a list. A blank heading is kept
		// as one, so parsing can say which section its text joins.
		if level := headingLevel(namedStyle(p)); level > 0 {
			c.flush()
			c.add(content.Block{Kind: content.KindHeading, Level: level, Inlines: []content.Inline{}})
		}
		return
	}
	c.flush()
	style := namedStyle(p)
	for _, pc := range pieces {
		if pc.block != nil {
			c.add(*pc.block)
			continue
		}
		runs := inline.Trim(pc.runs)
		if len(runs) == 0 {
			continue
		}
		switch level := headingLevel(style); {
		case style == "TITLE" && c.title == "":
			c.title = content.Text(runs)
		case style == "TITLE":
			c.add(content.Block{Kind: content.KindHeading, Level: 1, Inlines: runs})
		case level > 0:
			c.add(content.Block{Kind: content.KindHeading, Level: level, Inlines: runs})
		default:
			c.add(content.Block{Kind: content.KindParagraph, Inlines: runs})
		}
	}
}

func namedStyle(p *docs.Paragraph) string {
	if p.ParagraphStyle == nil {
		return "NORMAL_TEXT"
	}
	return p.ParagraphStyle.NamedStyleType
}

// headingLevel returns n for HEADING_n, else 0.
func headingLevel(style string) int {
	digits, ok := strings.CutPrefix(style, "HEADING_")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 1 || n > 6 {
		return 0
	}
	return n
}

func (c *converter) add(b content.Block) { c.blocks = append(c.blocks, b) }

func (c *converter) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// flush ends the list being built, if any.
func (c *converter) flush() {
	if c.list.active() {
		c.add(c.list.build())
		c.list = listBuilder{}
	}
}

func (c *converter) appendFootnotes() {
	if len(c.notes) == 0 {
		return
	}
	items := make([]content.ListItem, 0, len(c.notes))
	for _, note := range c.notes {
		items = append(items, content.ListItem{Inlines: note})
	}
	c.add(content.Block{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: "Footnotes", Bold: true}}})
	c.add(content.Block{Kind: content.KindList, Ordered: true, Items: items})
}
