package markdown

import (
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"

	"github.com/halcytone/contentgen/content"
)

// list converts a list. Items whose first block is text take it as their
// inlines; every other block of the item (nested lists, more paragraphs,
// code) goes to the item's children.
func (c *converter) list(n *ast.List) []content.Block {
	var items []*ast.ListItem
	tasks, nested := 0, false
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		item, ok := ch.(*ast.ListItem)
		if !ok {
			continue
		}
		items = append(items, item)
		if taskBox(item) != nil {
			tasks++
		}
		if lead := item.FirstChild(); lead != nil && lead.NextSibling() != nil {
			nested = true
		}
	}
	if tasks > 0 && tasks == len(items) && !nested {
		return c.todos(items)
	}
	b := content.Block{Kind: content.KindList, Ordered: n.IsOrdered()}
	for _, item := range items {
		it, after := c.listItem(item)
		b.Items = append(b.Items, it)
		if len(after) > 0 {
			// Images lifted out of the item's text stay in the item.
			b.Items[len(b.Items)-1].Children = append(after, b.Items[len(b.Items)-1].Children...)
		}
	}
	return []content.Block{b}
}

// todos turns a plain checklist into to-do blocks, images following the
// item they were in.
func (c *converter) todos(items []*ast.ListItem) []content.Block {
	var out []content.Block
	for _, item := range items {
		box := taskBox(item)
		in := c.inlines(item.FirstChild(), false)
		out = append(out, content.Block{Kind: content.KindTodo, Checked: box.IsChecked, Inlines: trimLeadingSpace(in.runs)})
		out = append(out, in.images...)
	}
	return out
}

// listItem returns the item and the images lifted out of its text.
func (c *converter) listItem(item *ast.ListItem) (content.ListItem, []content.Block) {
	var it content.ListItem
	var images []content.Block
	rest := ast.Node(item.FirstChild())
	if lead, ok := rest.(*ast.TextBlock); ok {
		in := c.inlines(lead, false)
		it.Inlines, images, rest = in.runs, in.images, lead.NextSibling()
	} else if lead, ok := rest.(*ast.Paragraph); ok {
		in := c.inlines(lead, false)
		it.Inlines, images, rest = in.runs, in.images, lead.NextSibling()
	}
	if box := taskBox(item); box != nil {
		mark := "☐ "
		if box.IsChecked {
			mark = "☑ "
		}
		it.Inlines = append([]content.Inline{{Text: mark}}, trimLeadingSpace(it.Inlines)...)
	}
	for ; rest != nil; rest = rest.NextSibling() {
		it.Children = append(it.Children, c.block(rest)...)
	}
	if it.Inlines == nil {
		it.Inlines = []content.Inline{}
	}
	return it, images
}

// taskBox is the item's "[ ]"/"[x]" marker, or nil.
func taskBox(item *ast.ListItem) *extast.TaskCheckBox {
	lead := item.FirstChild()
	if lead == nil {
		return nil
	}
	box, _ := lead.FirstChild().(*extast.TaskCheckBox)
	return box
}

// trimLeadingSpace drops the space that follows a task marker.
func trimLeadingSpace(runs []content.Inline) []content.Inline {
	for len(runs) > 0 {
		t := trimLeft(runs[0].Text)
		if t != "" {
			runs[0].Text = t
			return runs
		}
		runs = runs[1:]
	}
	return runs
}
