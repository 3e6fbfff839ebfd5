package notion

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources"
)

// ConvertJSON converts a page, as GET /v1/pages/{id} returns it, and its
// blocks, as GET /v1/blocks/{id}/children returns them (one list answer),
// into a document as Fetch would, but without any I/O. The API serves a
// block's children through further requests; here they may be given inline
// as the "children" array of the block's type object, as in an
// append-children request, and are read as deep as Fetch reads them.
// Notion-hosted files keep their expiring URLs, with a warning. JSON that
// is not a page or a block list fails, wrapping sources.ErrInvalid.
func ConvertJSON(page, blocks []byte) (content.Document, error) {
	p, err := decodePage(page)
	if err != nil {
		return content.Document{}, fmt.Errorf("convert notion page: %w: malformed page JSON: %w", sources.ErrInvalid, err)
	}
	var list struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(blocks, &list); err != nil {
		return content.Document{}, fmt.Errorf("convert notion page %s: %w: malformed block list JSON: %w", p.ID, sources.ErrInvalid, err)
	}
	d := &decoder{}
	tree, err := d.nodes(list.Results, "results", 0)
	if err != nil {
		return content.Document{}, fmt.Errorf("convert notion page %s: %w: malformed block list JSON: %w", p.ID, sources.ErrInvalid, err)
	}
	c := &converter{ctx: context.Background(), pageID: string(p.ID), titles: map[notionapi.PageID]string{}, warnings: d.warnings}
	return c.document(p, tree, string(p.ID)), nil
}

// decodePage decodes a page. The library's property decoder panics on a
// property without a string "type", so properties are checked first.
func decodePage(data []byte) (*notionapi.Page, error) {
	var raw struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	for name, prop := range raw.Properties {
		if _, err := typeOf(prop); err != nil {
			return nil, fmt.Errorf("property %q: %w", name, err)
		}
	}
	var p notionapi.Page
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// typeOf returns the "type" of a JSON object, failing for anything else.
// The key is matched exactly, as the library matches it (encoding/json
// would also accept "Type").
func typeOf(raw json.RawMessage) (string, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return "", fmt.Errorf("not an object with a string type")
	}
	t, ok := fields["type"]
	if !ok || string(t) == "null" {
		return "", fmt.Errorf("no type")
	}
	var typ string
	if err := json.Unmarshal(t, &typ); err != nil {
		return "", fmt.Errorf("not an object with a string type")
	}
	if typ == "" {
		return "", fmt.Errorf("no type")
	}
	return typ, nil
}

// decoder reads inline block trees, collecting warnings like fetcher does.
type decoder struct {
	warnings []string
}

func (d *decoder) nodes(list []json.RawMessage, path string, depth int) ([]*node, error) {
	nodes := make([]*node, 0, len(list))
	for i, raw := range list {
		n, err := d.node(raw, fmt.Sprintf("%s[%d]", path, i), depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// node decodes one block, and its inline children apart from it: the
// library would decode them too, and panics on a block without a type.
func (d *decoder) node(raw json.RawMessage, path string, depth int) (*node, error) {
	typ, err := typeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	body, kids, err := splitChildren(fields[typ])
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", path, typ, err)
	}
	if body != nil {
		fields[typ] = body
	}
	one, err := json.Marshal([]map[string]json.RawMessage{fields})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var decoded notionapi.Blocks
	if err := json.Unmarshal(one, &decoded); err != nil {
		return nil, fmt.Errorf("%s (%s): %w", path, typ, err)
	}
	n := &node{block: decoded[0]}
	if u, ok := n.block.(*notionapi.UnsupportedBlock); ok && u.ID == "" {
		// The library decodes unknown types as empty blocks.
		var id struct {
			ID notionapi.BlockID `json:"id"`
		}
		_ = json.Unmarshal(raw, &id)
		basic := notionapi.BasicBlock{Object: "block", ID: id.ID, Type: notionapi.BlockType(typ)}
		var audio struct {
			Audio *notionapi.Audio `json:"audio"`
		}
		if typ == string(blockTypeAudio) && json.Unmarshal(raw, &audio) == nil && audio.Audio != nil {
			n.block = &notionapi.AudioBlock{BasicBlock: basic, Audio: *audio.Audio}
		} else {
			n.block = &notionapi.UnsupportedBlock{BasicBlock: basic}
		}
	}
	return n, d.children(n, kids, path+"."+typ+".children", depth)
}

// children attaches inline children, within the depth Fetch reads.
func (d *decoder) children(n *node, kids []json.RawMessage, path string, depth int) error {
	switch b := n.block.(type) {
	case *notionapi.ChildPageBlock, *notionapi.ChildDatabaseBlock, *notionapi.UnsupportedBlock:
		// Their children are another page's content, or unknown.
		return nil
	case *notionapi.SyncedBlock:
		if from := b.SyncedBlock.SyncedFrom; from != nil {
			d.warnings = append(d.warnings, fmt.Sprintf("synced block %s copies block %s, whose content is not in the JSON, so it is left out",
				n.block.GetID(), from.BlockID))
			return nil
		}
	}
	switch {
	case len(kids) == 0 && n.block.GetHasChildren():
		d.warnings = append(d.warnings, fmt.Sprintf("the children of Notion block %s are not in the JSON and are left out", n.block.GetID()))
		return nil
	case len(kids) == 0:
		return nil
	case depth >= maxDepth:
		d.warnings = append(d.warnings, fmt.Sprintf("blocks nested more than %d deep under Notion block %s are left out", maxDepth, n.block.GetID()))
		return nil
	}
	var err error
	n.children, err = d.nodes(kids, path, depth+1)
	return err
}

// splitChildren takes the "children" array out of a block's type object.
func splitChildren(body json.RawMessage) (json.RawMessage, []json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return nil, nil, nil
	}
	raw, ok := obj["children"]
	if !ok {
		return nil, nil, nil
	}
	var kids []json.RawMessage
	if err := json.Unmarshal(raw, &kids); err != nil {
		return nil, nil, fmt.Errorf("children: not a list of blocks: %w", err)
	}
	delete(obj, "children")
	out, err := json.Marshal(obj)
	return out, kids, err
}
