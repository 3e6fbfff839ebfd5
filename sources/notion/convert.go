package notion

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/imagestore"
)

// converter turns a fetched block tree into content blocks.
type converter struct {
	ctx      context.Context
	store    imagestore.Store
	pageID   string
	titles   map[notionapi.PageID]string
	warnings []string
}

func (c *converter) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// blocks converts sibling blocks, merging consecutive list items of one
// kind into one list. Consecutive to-dos stay to-do blocks unless one has
// nested blocks: then they are one list whose items start with "☐ " or
// "☑ ", so the nesting shows, as in Markdown.
func (c *converter) blocks(nodes []*node) []content.Block {
	var out []content.Block
	for i := 0; i < len(nodes); {
		if j := todoRun(nodes, i); j > i {
			out = append(out, c.todoList(nodes[i:j]))
			i = j
			continue
		}
		ordered, isItem := listItemKind(nodes[i].block)
		if !isItem {
			out = append(out, c.block(nodes[i])...)
			i++
			continue
		}
		list := content.Block{Kind: content.KindList, Ordered: ordered}
		for ; i < len(nodes); i++ {
			o, ok := listItemKind(nodes[i].block)
			if !ok || o != ordered {
				break
			}
			list.Items = append(list.Items, c.listItem(nodes[i]))
		}
		out = append(out, list)
	}
	return out
}

// todoRun returns the end of the run of to-dos starting at i when one of
// them has children, else i.
func todoRun(nodes []*node, i int) int {
	j, nested := i, false
	for ; j < len(nodes); j++ {
		if _, ok := nodes[j].block.(*notionapi.ToDoBlock); !ok {
			break
		}
		nested = nested || len(nodes[j].children) > 0
	}
	if !nested {
		return i
	}
	return j
}

func (c *converter) todoList(nodes []*node) content.Block {
	list := content.Block{Kind: content.KindList}
	for _, n := range nodes {
		todo := n.block.(*notionapi.ToDoBlock)
		box := "☐ "
		if todo.ToDo.Checked {
			box = "☑ "
		}
		item := content.ListItem{Inlines: append([]content.Inline{{Text: box}}, c.rich(todo.ToDo.RichText)...), Children: c.blocks(n.children)}
		list.Items = append(list.Items, item)
	}
	return list
}

func listItemKind(b notionapi.Block) (ordered, ok bool) {
	switch b.(type) {
	case *notionapi.BulletedListItemBlock:
		return false, true
	case *notionapi.NumberedListItemBlock:
		return true, true
	}
	return false, false
}

func (c *converter) listItem(n *node) content.ListItem {
	var rich []notionapi.RichText
	switch b := n.block.(type) {
	case *notionapi.BulletedListItemBlock:
		rich = b.BulletedListItem.RichText
	case *notionapi.NumberedListItemBlock:
		rich = b.NumberedListItem.RichText
	}
	item := content.ListItem{Inlines: c.rich(rich), Children: c.blocks(n.children)}
	if item.Inlines == nil {
		item.Inlines = []content.Inline{}
	}
	return item
}

// block converts one block that is not a list item, followed by its
// children where they follow it in reading order.
func (c *converter) block(n *node) []content.Block {
	switch b := n.block.(type) {
	case *notionapi.ParagraphBlock:
		return c.withChildren(paragraph(c.rich(b.Paragraph.RichText)), n)
	case *notionapi.Heading1Block:
		return c.withChildren(heading(1, c.rich(b.Heading1.RichText)), n)
	case *notionapi.Heading2Block:
		return c.withChildren(heading(2, c.rich(b.Heading2.RichText)), n)
	case *notionapi.Heading3Block:
		return c.withChildren(heading(3, c.rich(b.Heading3.RichText)), n)
	case *notionapi.ToDoBlock:
		todo := content.Block{Kind: content.KindTodo, Checked: b.ToDo.Checked, Inlines: c.rich(b.ToDo.RichText)}
		return c.withChildren([]content.Block{todo}, n)
	case *notionapi.ToggleBlock:
		return []content.Block{{Kind: content.KindToggle, Inlines: c.rich(b.Toggle.RichText), Children: c.blocks(n.children)}}
	case *notionapi.TemplateBlock:
		c.warn("Notion template block %s is shown as its button text and content; templates are for editors, remove it if readers should not see it", b.GetID())
		return c.withChildren(paragraph(c.rich(b.Template.RichText)), n)
	case *notionapi.QuoteBlock:
		return []content.Block{{Kind: content.KindQuote, Children: c.withChildren(paragraph(c.rich(b.Quote.RichText)), n)}}
	case *notionapi.CalloutBlock:
		return []content.Block{{Kind: content.KindCallout, Icon: icon(b.Callout.Icon),
			Children: c.withChildren(paragraph(c.rich(b.Callout.RichText)), n)}}
	case *notionapi.CodeBlock:
		return append([]content.Block{code(b.Code)}, caption(c.rich(b.Code.Caption))...)
	case *notionapi.DividerBlock:
		return []content.Block{{Kind: content.KindDivider}}
	case *notionapi.TableBlock:
		return []content.Block{c.table(b, n.children)}
	case *notionapi.EquationBlock:
		return paragraph([]content.Inline{{Text: b.Equation.Expression, Code: true}})
	case *notionapi.ColumnListBlock, *notionapi.ColumnBlock, *notionapi.SyncedBlock:
		return c.blocks(n.children)
	case *notionapi.TableOfContentsBlock, *notionapi.BreadcrumbBlock:
		// Navigation aids with no content of their own.
		return nil
	}
	if out, ok := c.media(n.block); ok {
		return out
	}
	if out, ok := c.link(n.block); ok {
		return out
	}
	c.warn("unsupported Notion block %s (%s)", cmp.Or(string(n.block.GetType()), "of unknown type"), n.block.GetID())
	return nil
}

// withChildren returns first followed by the node's converted children.
func (c *converter) withChildren(first []content.Block, n *node) []content.Block {
	return append(first, c.blocks(n.children)...)
}

// paragraph returns a paragraph block, or nothing for an empty one (Notion
// uses those as spacing).
func paragraph(runs []content.Inline) []content.Block {
	if len(runs) == 0 {
		return nil
	}
	return []content.Block{{Kind: content.KindParagraph, Inlines: runs}}
}

// caption is a block's caption as an italic paragraph after it.
func caption(runs []content.Inline) []content.Block {
	for i := range runs {
		runs[i].Italic = true
	}
	return paragraph(runs)
}

// heading returns a heading block, even an empty one, so parsing can say
// which section the text under it joins.
func heading(level int, runs []content.Inline) []content.Block {
	if runs == nil {
		runs = []content.Inline{}
	}
	return []content.Block{{Kind: content.KindHeading, Level: level, Inlines: runs}}
}

func icon(i *notionapi.Icon) string {
	if i == nil || i.Emoji == nil {
		// Uploaded and external icons are images an edition cannot inline.
		return ""
	}
	return string(*i.Emoji)
}

func code(c notionapi.Code) content.Block {
	var b strings.Builder
	for _, rt := range c.RichText {
		b.WriteString(plain(rt))
	}
	lang := c.Language
	if lang == "plain text" {
		lang = ""
	}
	return content.Block{Kind: content.KindCode, Language: lang, Text: b.String()}
}

func (c *converter) table(t *notionapi.TableBlock, rows []*node) content.Block {
	out := content.Block{Kind: content.KindTable, HeaderRow: t.Table.HasColumnHeader}
	for _, r := range rows {
		row, ok := r.block.(*notionapi.TableRowBlock)
		if !ok {
			continue
		}
		cells := make([]content.Cell, 0, len(row.TableRow.Cells))
		for _, cell := range row.TableRow.Cells {
			runs := c.rich(cell)
			if runs == nil {
				runs = []content.Inline{}
			}
			cells = append(cells, content.Cell{Inlines: runs})
		}
		out.Rows = append(out.Rows, cells)
	}
	return out
}
