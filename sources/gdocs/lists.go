package gdocs

import (
	"google.golang.org/api/docs/v1"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/internal/inline"
)

// maxNestingLevel is the deepest level of a Docs list (nine levels, 0–8).
// Levels beyond it, or below 0, cannot come from the editor and are
// clamped, so a hostile answer cannot index outside the list or open
// billions of nested lists.
const maxNestingLevel = 8

type listKind int

const (
	bulleted listKind = iota
	numbered
	checklist
)

// kindOf reads a list level's glyph: numbers and letters are ordered, a
// glyph symbol is a bullet, and neither is a checkbox.
func (c *converter) kindOf(listID string, level int) listKind {
	props := c.res.lists[listID].ListProperties
	if props == nil || level >= len(props.NestingLevels) || props.NestingLevels[level] == nil {
		return bulleted
	}
	nl := props.NestingLevels[level]
	switch nl.GlyphType {
	case "DECIMAL", "ZERO_DECIMAL", "UPPER_ALPHA", "ALPHA", "UPPER_ROMAN", "ROMAN":
		return numbered
	case "", "GLYPH_TYPE_UNSPECIFIED":
		if nl.GlyphSymbol == "" {
			return checklist
		}
	}
	return bulleted
}

// listItem adds a bulleted paragraph to the list being built; checklist
// items become todo blocks, nested under the open list's item when indented.
func (c *converter) listItem(b *docs.Bullet, pieces []piece) {
	level := min(max(int(b.NestingLevel), 0), maxNestingLevel)
	var runs []content.Inline
	var blocks []content.Block
	for _, pc := range pieces {
		if pc.block != nil {
			blocks = append(blocks, *pc.block)
		} else {
			runs = inline.Concat(runs, pc.runs)
		}
	}
	runs = inline.Trim(runs)
	if len(runs) == 0 && len(blocks) == 0 {
		return
	}
	if c.kindOf(b.ListId, level) == checklist {
		todo := content.Block{Kind: content.KindTodo, Checked: struck(runs), Inlines: runs}
		if todo.Checked {
			for i := range todo.Inlines {
				todo.Inlines[i].Strike = false
			}
		}
		if c.list.active() && level > 0 {
			c.list.attach(level, append([]content.Block{todo}, blocks...)...)
			return
		}
		c.flush()
		c.add(todo)
		c.blocks = append(c.blocks, blocks...)
		return
	}
	if c.list.active() && level == 0 && b.ListId != c.list.id {
		c.flush()
	}
	it := &itemNode{inlines: runs}
	for _, blk := range blocks {
		it.kids = append(it.kids, kid{block: blk})
	}
	c.list.item(b.ListId, level, func(l int) bool { return c.kindOf(b.ListId, l) == numbered }, it)
}

// struck reports whether all text of a checklist item is struck through,
// which is how Docs shows a checked item.
func struck(runs []content.Inline) bool {
	seen := false
	for _, r := range runs {
		if inline.IsBreak(r) {
			continue
		}
		if !r.Strike {
			return false
		}
		seen = true
	}
	return seen
}

// listBuilder assembles consecutive list paragraphs, whose nesting is given
// by level, into a tree of lists.
type listBuilder struct {
	id   string
	root *listNode
	// open[i] is the list receiving items at nesting level i.
	open []*listNode
}

type listNode struct {
	ordered bool
	items   []*itemNode
}

type itemNode struct {
	inlines []content.Inline
	kids    []kid
}

// kid is a nested list or another block inside an item, in order.
type kid struct {
	list  *listNode
	block content.Block
}

func (b *listBuilder) active() bool { return b.root != nil }

// item adds it at level, opening the lists that lead there; ordered tells
// whether a new list at a level is numbered.
func (b *listBuilder) item(listID string, level int, ordered func(level int) bool, it *itemNode) {
	if b.root == nil {
		b.id = listID
		b.root = &listNode{ordered: ordered(0)}
		b.open = []*listNode{b.root}
	}
	if level < len(b.open) {
		b.open = b.open[:level+1]
	}
	for len(b.open) <= level {
		sub := &listNode{ordered: ordered(len(b.open))}
		parent := b.open[len(b.open)-1].last()
		parent.kids = append(parent.kids, kid{list: sub})
		b.open = append(b.open, sub)
	}
	l := b.open[level]
	l.items = append(l.items, it)
}

// attach puts blocks inside the last item one level above level.
func (b *listBuilder) attach(level int, blocks ...content.Block) {
	level = min(level, len(b.open))
	b.open = b.open[:level]
	parent := b.open[level-1].last()
	for _, blk := range blocks {
		parent.kids = append(parent.kids, kid{block: blk})
	}
}

// last returns the list's last item, adding an empty one to a list that has
// none (a list whose first paragraph is indented).
func (n *listNode) last() *itemNode {
	if len(n.items) == 0 {
		n.items = append(n.items, &itemNode{})
	}
	return n.items[len(n.items)-1]
}

func (b *listBuilder) build() content.Block { return b.root.block() }

func (n *listNode) block() content.Block {
	items := make([]content.ListItem, 0, len(n.items))
	for _, it := range n.items {
		li := content.ListItem{Inlines: it.inlines}
		if li.Inlines == nil {
			li.Inlines = []content.Inline{}
		}
		for _, k := range it.kids {
			if k.list != nil {
				li.Children = append(li.Children, k.list.block())
			} else {
				li.Children = append(li.Children, k.block)
			}
		}
		items = append(items, li)
	}
	return content.Block{Kind: content.KindList, Ordered: n.ordered, Items: items}
}
