package hostile

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Generated documents: too large to commit, or easier to read as code.

const loremLine = "Slow breathing lowers the heart rate; box breathing takes four counts in, hold, out and hold. "

// hugeMarkdown is about 5 MB of text in known sections.
func hugeMarkdown() []byte {
	var b strings.Builder
	b.WriteString("# Halcytone Weekly\n\n")
	for i := 0; b.Len() < 5<<20; i++ {
		if i%500 == 0 {
			fmt.Fprintf(&b, "## %s\n\n", []string{"Tips", "Hardware", "Vision", "Breathscape"}[i/500%4])
		}
		b.WriteString(strings.Repeat(loremLine, 4) + "\n\n")
	}
	return []byte(b.String())
}

// tableMarkdown is a table of 10,000 rows.
func tableMarkdown() []byte {
	var b strings.Builder
	b.WriteString("# Halcytone Weekly\n\n## Hardware\n\n| Unit | Firmware | Battery |\n| --- | --- | --- |\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "| S-%05d | 2.%d | %d%% |\n", i, i%10, i%100)
	}
	return []byte(b.String())
}

// hugeURL is a 100 KB https URL.
func hugeURL() string {
	return "https://images.example.com/" + strings.Repeat("a1b2c3d4e5", 10<<10) + ".png"
}

func imageURLMarkdown() []byte {
	u := hugeURL()
	return []byte("# Halcytone Weekly\n\n## Tips\n\n![The sensor](" + u + ")\n\nA [link](" + u + ") too.\n")
}

// markerMarkdown opens 20,000 lists on one line: a few kilobytes that
// parse into a tree 20,000 deep.
func markerMarkdown() []byte {
	return []byte("# Halcytone Weekly\n\n## Tips\n\n" + strings.Repeat("- ", 20000) + "deep\n")
}

// docsJSON is a documents.get answer whose body holds content.
func docsJSON(content []any, lists map[string]any) []byte {
	doc := map[string]any{
		"title": "Generated", "documentId": "1HostileGenerated", "revisionId": "ALBJ4Lv-generated",
		"tabs": []any{map[string]any{
			"tabProperties": map[string]any{"tabId": "t.0", "title": "Tab 1"},
			"documentTab":   map[string]any{"body": map[string]any{"content": content}, "lists": lists},
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

func docsParagraph(text, style string, bullet map[string]any) map[string]any {
	p := map[string]any{
		"elements":       []any{map[string]any{"textRun": map[string]any{"content": text + "\n", "textStyle": map[string]any{}}}},
		"paragraphStyle": map[string]any{"namedStyleType": style},
	}
	if bullet != nil {
		p["bullet"] = bullet
	}
	return map[string]any{"paragraph": p}
}

func hugeDocs() []byte {
	content := []any{docsParagraph("Tips", "HEADING_1", nil)}
	for size := 0; size < 5<<20; size += 4 * len(loremLine) {
		content = append(content, docsParagraph(strings.Repeat(loremLine, 4), "NORMAL_TEXT", nil))
	}
	return docsJSON(content, nil)
}

func docsCell(text string) map[string]any {
	return map[string]any{"content": []any{docsParagraph(text, "NORMAL_TEXT", nil)}}
}

func tableDocs() []byte {
	rows := make([]any, 0, 10000)
	for i := range 10000 {
		rows = append(rows, map[string]any{"tableCells": []any{
			docsCell(fmt.Sprintf("S-%05d", i)), docsCell(fmt.Sprintf("2.%d", i%10)), docsCell(fmt.Sprintf("%d%%", i%100)),
		}})
	}
	table := map[string]any{"table": map[string]any{"rows": 10000, "columns": 3, "tableRows": rows}}
	return docsJSON([]any{docsParagraph("Hardware", "HEADING_1", nil), table}, nil)
}

// nestedDocs has bullets at nesting levels 0 to 99, deeper than Docs
// allows.
func nestedDocs() []byte {
	content := []any{docsParagraph("Tips", "HEADING_1", nil)}
	for level := range 100 {
		content = append(content, docsParagraph(fmt.Sprintf("level %d", level+1), "NORMAL_TEXT",
			map[string]any{"listId": "kix.deep", "nestingLevel": level}))
	}
	levels := make([]any, 0, 9)
	for range 9 {
		levels = append(levels, map[string]any{"glyphSymbol": "●"})
	}
	return docsJSON(content, map[string]any{"kix.deep": map[string]any{"listProperties": map[string]any{"nestingLevels": levels}}})
}

// notionFile is a Notion corpus file: a page and one list of blocks.
func notionFile(title string, blocks []any) []byte {
	page := map[string]any{
		"object": "page", "id": "7e0c5b1a-3f2d-4c8e-9a6b-1d2e3f4a5b6c", "last_edited_time": "2026-11-24T16:42:00.000Z",
		"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title",
			"title": []any{notionText(title)}}},
	}
	b, err := json.Marshal(map[string]any{"page": page, "blocks": map[string]any{"object": "list", "results": blocks, "has_more": false}})
	if err != nil {
		panic(err)
	}
	return b
}

func notionText(s string) map[string]any {
	return map[string]any{"type": "text", "text": map[string]any{"content": s}, "plain_text": s}
}

func notionBlock(typ string, body map[string]any) map[string]any {
	return map[string]any{"object": "block", "id": "4a1d0000-0000-4000-8000-000000000001", "type": typ, typ: body}
}

func notionRich(typ, text string) map[string]any {
	return notionBlock(typ, map[string]any{"rich_text": []any{notionText(text)}})
}

func hugeNotion() []byte {
	blocks := []any{notionRich("heading_1", "Tips")}
	for size := 0; size < 5<<20; size += 4 * len(loremLine) {
		blocks = append(blocks, notionRich("paragraph", strings.Repeat(loremLine, 4)))
	}
	return notionFile("Huge", blocks)
}

func tableNotion() []byte {
	rows := make([]any, 0, 10000)
	for i := range 10000 {
		rows = append(rows, notionBlock("table_row", map[string]any{"cells": []any{
			[]any{notionText(fmt.Sprintf("S-%05d", i))}, []any{notionText(fmt.Sprintf("2.%d", i%10))}, []any{notionText(fmt.Sprintf("%d%%", i%100))},
		}}))
	}
	table := notionBlock("table", map[string]any{"table_width": 3, "has_column_header": false, "children": rows})
	return notionFile("Table", []any{notionRich("heading_1", "Hardware"), table})
}

// nestedNotion has bulleted items nested 100 deep through inline children.
func nestedNotion() []byte {
	item := notionRich("bulleted_list_item", "level 100")
	for level := 99; level > 0; level-- {
		parent := notionRich("bulleted_list_item", fmt.Sprintf("level %d", level))
		parent["bulleted_list_item"].(map[string]any)["children"] = []any{item}
		item = parent
	}
	return notionFile("Nested", []any{notionRich("heading_1", "Tips"), item})
}

func imageURLNotion() []byte {
	u := hugeURL()
	image := notionBlock("image", map[string]any{"type": "external", "external": map[string]any{"url": u}, "caption": []any{}})
	link := notionBlock("paragraph", map[string]any{"rich_text": []any{map[string]any{"type": "text",
		"text": map[string]any{"content": "a link", "link": map[string]any{"url": u}}, "plain_text": "a link", "href": u}}})
	return notionFile("Image", []any{notionRich("heading_1", "Tips"), image, link})
}
