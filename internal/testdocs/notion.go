package testdocs

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
)

// NotionPage serves one generated Notion page of about size bytes of text
// the way the Notion API does: GET /v1/pages/{id}, and its blocks through
// GET /v1/blocks/{id}/children in pages of at most 100 with start_cursor.
// Requests need "Authorization: Bearer <Token>" and a Notion-Version.
type NotionPage struct {
	ID, Token string
	blocks    []map[string]any
	// Requests counts the requests served.
	Requests atomic.Int64
}

// NewNotionPage generates the page: the four sections as heading_2
// blocks (Hardware limited to beta), each with paragraphs and bulleted
// items.
func NewNotionPage(id, token string, size int) *NotionPage {
	p := &NotionPage{ID: id, Token: token}
	p.add("paragraph", "Hello from the Halcytone team! This is the living document in Notion.")
	per := max(1, size/len(sections))
	text := 0
	for _, heading := range sections {
		p.add("heading_2", heading[3:])
		for i, written := 0, 0; i == 0 || written < per; i++ {
			para := fmt.Sprintf("Update %d: release %d.%d brings steadier pacing, fewer interruptions and a longer exhale; "+
				"reply to this email and tell us what to build next. Sessions sync across devices in batch %d.", i+1, i/10+1, i%10, i)
			item := fmt.Sprintf("Sleep mode preset %d with a %d-second exhale", i, 4+i%5)
			p.add("paragraph", para)
			p.add("bulleted_list_item", item)
			written += len(para) + len(item)
		}
		text += per
	}
	return p
}

func (p *NotionPage) add(kind, text string) {
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", len(p.blocks), len(p.blocks))
	rich := []map[string]any{{
		"type": "text", "plain_text": text, "href": nil,
		"text":        map[string]any{"content": text, "link": nil},
		"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"},
	}}
	body := map[string]any{"rich_text": rich, "color": "default"}
	if kind == "heading_2" {
		body["is_toggleable"] = false
	}
	p.blocks = append(p.blocks, map[string]any{
		"object": "block", "id": id, "type": kind, kind: body,
		"parent":       map[string]any{"type": "page_id", "page_id": p.ID},
		"created_time": "2026-11-20T09:15:00.000Z", "last_edited_time": "2026-11-24T16:42:00.000Z",
		"has_children": false, "archived": false, "in_trash": false,
	})
}

// ServeHTTP implements the two endpoints.
func (p *NotionPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.Requests.Add(1)
	if r.Header.Get("Authorization") != "Bearer "+p.Token || r.Header.Get("Notion-Version") == "" {
		notionJSON(w, 401, map[string]any{"object": "error", "status": 401, "code": "unauthorized", "message": "API token is invalid."})
		return
	}
	switch r.URL.Path {
	case "/v1/pages/" + p.ID:
		title := []map[string]any{{"type": "text", "plain_text": "Halcytone Weekly — Living Document", "href": nil,
			"text":        map[string]any{"content": "Halcytone Weekly — Living Document", "link": nil},
			"annotations": map[string]any{"bold": false, "italic": false, "strikethrough": false, "underline": false, "code": false, "color": "default"}}}
		notionJSON(w, 200, map[string]any{"object": "page", "id": p.ID, "archived": false, "in_trash": false,
			"created_time": "2026-11-20T09:15:00.000Z", "last_edited_time": "2026-11-24T16:42:00.000Z",
			"parent":     map[string]any{"type": "workspace", "workspace": true},
			"properties": map[string]any{"title": map[string]any{"id": "title", "type": "title", "title": title}},
			"url":        "https://www.notion.so/" + p.ID})
	case "/v1/blocks/" + p.ID + "/children":
		p.children(w, r)
	default:
		notionJSON(w, 404, map[string]any{"object": "error", "status": 404, "code": "object_not_found", "message": "Could not find " + r.URL.Path})
	}
}

func (p *NotionPage) children(w http.ResponseWriter, r *http.Request) {
	size := 100
	if s := r.URL.Query().Get("page_size"); s != "" {
		size, _ = strconv.Atoi(s)
	}
	if size < 1 || size > 100 {
		notionJSON(w, 400, map[string]any{"object": "error", "status": 400, "code": "validation_error", "message": "body.page_size should be ≤ `100`."})
		return
	}
	start := 0
	if c := r.URL.Query().Get("start_cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n >= len(p.blocks) {
			notionJSON(w, 400, map[string]any{"object": "error", "status": 400, "code": "validation_error", "message": "start_cursor provided is invalid: " + c})
			return
		}
		start = n
	}
	end := min(start+size, len(p.blocks))
	var next any
	if end < len(p.blocks) {
		next = strconv.Itoa(end)
	}
	notionJSON(w, 200, map[string]any{"object": "list", "type": "block", "block": map[string]any{},
		"results": p.blocks[start:end], "has_more": end < len(p.blocks), "next_cursor": next})
}

func notionJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
