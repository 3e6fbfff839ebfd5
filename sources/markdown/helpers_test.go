package markdown

import "github.com/halcytone/contentgen/content"

func txt(s string) content.Inline { return content.Inline{Text: s} }

func para(ins ...content.Inline) content.Block {
	return content.Block{Kind: content.KindParagraph, Inlines: ins}
}

func heading(level int, s string) content.Block {
	return content.Block{Kind: content.KindHeading, Level: level, Inlines: []content.Inline{txt(s)}}
}

func item(s string, children ...content.Block) content.ListItem {
	return content.ListItem{Inlines: []content.Inline{txt(s)}, Children: children}
}

func list(ordered bool, items ...content.ListItem) content.Block {
	return content.Block{Kind: content.KindList, Ordered: ordered, Items: items}
}

func todo(checked bool, s string) content.Block {
	return content.Block{Kind: content.KindTodo, Checked: checked, Inlines: []content.Inline{txt(s)}}
}

func image(url, alt string, caption ...content.Inline) content.Block {
	return content.Block{Kind: content.KindImage, URL: url, Alt: alt, Inlines: caption}
}

func cells(texts ...string) []content.Cell {
	out := make([]content.Cell, len(texts))
	for i, s := range texts {
		out[i] = content.Cell{Inlines: []content.Inline{txt(s)}}
	}
	return out
}
