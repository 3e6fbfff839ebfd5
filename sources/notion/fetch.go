package notion

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/sources"
)

// maxDepth bounds block nesting; Notion pages stay far below it.
const maxDepth = 32

// node is a block with its fetched children.
type node struct {
	block    notionapi.Block
	children []*node
}

// fetcher reads a page's block tree, one request at a time.
type fetcher struct {
	s        *Source
	pageID   string
	titles   map[notionapi.PageID]string // of pages linked to
	warnings []string
}

func (f *fetcher) warn(format string, args ...any) {
	f.warnings = append(f.warnings, fmt.Sprintf(format, args...))
}

// children reads the children of block id, and theirs, recursively.
func (f *fetcher) children(ctx context.Context, id notionapi.BlockID, depth int) ([]*node, error) {
	blocks, err := f.list(ctx, id)
	if err != nil {
		return nil, err
	}
	nodes := make([]*node, 0, len(blocks))
	for _, b := range blocks {
		n := &node{block: b}
		if err := f.expand(ctx, n, depth); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

func (f *fetcher) expand(ctx context.Context, n *node, depth int) error {
	switch b := n.block.(type) {
	case *notionapi.ChildPageBlock, *notionapi.ChildDatabaseBlock, *notionapi.UnsupportedBlock:
		// Their children are another page's content, or unknown.
		return nil
	case *notionapi.SyncedBlock:
		if from := b.SyncedBlock.SyncedFrom; from != nil {
			return f.synced(ctx, n, from.BlockID, depth)
		}
	case *notionapi.LinkToPageBlock:
		if b.LinkToPage.PageID != "" {
			return f.linkTitle(ctx, b.LinkToPage.PageID)
		}
	}
	if !n.block.GetHasChildren() {
		return nil
	}
	if depth >= maxDepth {
		f.warn("blocks nested more than %d deep under Notion block %s are left out", maxDepth, n.block.GetID())
		return nil
	}
	var err error
	n.children, err = f.children(ctx, n.block.GetID(), depth+1)
	return err
}

// synced reads the content of a synced block's original.
func (f *fetcher) synced(ctx context.Context, n *node, original notionapi.BlockID, depth int) error {
	children, err := f.children(ctx, original, depth+1)
	if errors.Is(err, sources.ErrNotFound) || errors.Is(err, sources.ErrPermission) {
		f.warn("synced block %s in Notion page %s copies block %s, which the integration cannot read, so it is left out; "+
			"share the page holding the original with the integration", n.block.GetID(), f.pageID, original)
		return nil
	}
	n.children = children
	return err
}

// linkTitle reads the title of a page linked to; a page the integration
// cannot read keeps a generic title.
func (f *fetcher) linkTitle(ctx context.Context, id notionapi.PageID) error {
	if _, done := f.titles[id]; done {
		return nil
	}
	page, err := f.s.page(ctx, string(id))
	if err != nil {
		err = f.s.classify(f.pageID, "read the title of linked page "+string(id), err)
		if errors.Is(err, sources.ErrNotFound) || errors.Is(err, sources.ErrPermission) {
			f.titles[id] = ""
			return nil
		}
		return err
	}
	f.titles[id] = pageTitle(page)
	return nil
}

// list reads all children of block id, 100 at a time.
func (f *fetcher) list(ctx context.Context, id notionapi.BlockID) ([]notionapi.Block, error) {
	var all []notionapi.Block
	var cursor notionapi.Cursor
	for {
		var resp *notionapi.GetChildrenResponse
		ex, err := f.s.callRecorded(ctx, true, func(ctx context.Context) error {
			var err error
			resp, err = f.s.client.Block.GetChildren(ctx, id, &notionapi.Pagination{StartCursor: cursor, PageSize: 100})
			return err
		})
		if err != nil {
			return nil, f.s.classify(f.pageID, "read the children of block "+string(id), err)
		}
		all = append(all, identify(resp.Results, ex.body)...)
		next := notionapi.Cursor(resp.NextCursor)
		if !resp.HasMore || next == "" {
			return all, nil
		}
		if next == cursor {
			return nil, fmt.Errorf("notion page %s: read the children of block %s: %w: Notion repeated cursor %s",
				f.pageID, id, sources.ErrInvalid, next)
		}
		cursor = next
	}
}

// identify gives blocks of types the library does not know, which it
// decodes as empty UnsupportedBlocks, their ID and type from the raw answer,
// and decodes the audio blocks it does not.
func identify(blocks []notionapi.Block, body []byte) []notionapi.Block {
	var raw struct {
		Results []struct {
			ID    notionapi.BlockID   `json:"id"`
			Type  notionapi.BlockType `json:"type"`
			Audio *notionapi.Audio    `json:"audio"`
		} `json:"results"`
	}
	decoded := false
	for i, b := range blocks {
		if u, ok := b.(*notionapi.UnsupportedBlock); !ok || u.ID != "" {
			continue
		}
		if !decoded {
			decoded = true
			if json.Unmarshal(body, &raw) != nil || len(raw.Results) != len(blocks) {
				return blocks
			}
		}
		basic := notionapi.BasicBlock{Object: "block", ID: raw.Results[i].ID, Type: raw.Results[i].Type}
		if r := raw.Results[i]; r.Type == blockTypeAudio && r.Audio != nil {
			blocks[i] = &notionapi.AudioBlock{BasicBlock: basic, Audio: *r.Audio}
			continue
		}
		blocks[i] = &notionapi.UnsupportedBlock{BasicBlock: basic}
	}
	return blocks
}
