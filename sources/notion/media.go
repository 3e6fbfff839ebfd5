package notion

import (
	"cmp"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/imagestore"
)

// blockTypeAudio is decoded here: the library reads audio blocks as
// unsupported ones.
const blockTypeAudio notionapi.BlockType = "audio"

// media converts image, video, audio, file and PDF blocks; all but images
// become a link to the file.
func (c *converter) media(b notionapi.Block) ([]content.Block, bool) {
	var caption []notionapi.RichText
	var hosted, external *notionapi.FileObject
	kind := string(b.GetType())
	switch m := b.(type) {
	case *notionapi.ImageBlock:
		caption, hosted, external = m.Image.Caption, m.Image.File, m.Image.External
	case *notionapi.VideoBlock:
		caption, hosted, external = m.Video.Caption, m.Video.File, m.Video.External
	case *notionapi.FileBlock:
		caption, hosted, external = m.File.Caption, m.File.File, m.File.External
	case *notionapi.PdfBlock:
		caption, hosted, external = m.Pdf.Caption, m.Pdf.File, m.Pdf.External
	case *notionapi.AudioBlock:
		caption, hosted, external = m.Audio.Caption, m.Audio.File, m.Audio.External
	default:
		return nil, false
	}
	var u string
	switch {
	case hosted != nil && hosted.URL != "":
		u = c.keep(kind, b.GetID(), hosted.URL)
	case external != nil:
		u = external.URL
	}
	if u == "" {
		c.warn("Notion %s block %s has no URL and is left out", kind, b.GetID())
		return nil, true
	}
	runs := c.rich(caption)
	if kind == "image" {
		return []content.Block{{Kind: content.KindImage, URL: u, Alt: content.Text(runs), Inlines: runs}}, true
	}
	text := content.Text(runs)
	switch {
	case text != "":
	case hosted != nil && hosted.URL != "":
		text = fileName(hosted.URL)
	default:
		text = fileName(u)
	}
	return paragraph([]content.Inline{{Text: text, Link: u}}), true
}

// keep copies a Notion-hosted file, whose URL expires after an hour.
func (c *converter) keep(kind string, id notionapi.BlockID, src string) string {
	what := fmt.Sprintf("%s block %s in Notion page %s", kind, id, c.pageID)
	u, warning := imagestore.Keep(c.ctx, c.store, src, "notion-"+string(id), what, "one hour")
	if warning != "" {
		c.warnings = append(c.warnings, warning)
	}
	return u
}

// fileName is the file name ending a URL's path (report.pdf), else the URL.
func fileName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	name, err := url.PathUnescape(path.Base(u.Path))
	if err != nil || !strings.Contains(strings.Trim(name, "."), ".") {
		return raw
	}
	return name
}

// link converts blocks that point elsewhere into a linking paragraph.
func (c *converter) link(b notionapi.Block) ([]content.Block, bool) {
	var text, target string
	switch l := b.(type) {
	case *notionapi.BookmarkBlock:
		text, target = content.Text(c.rich(l.Bookmark.Caption)), l.Bookmark.URL
	case *notionapi.EmbedBlock:
		text, target = content.Text(c.rich(l.Embed.Caption)), l.Embed.URL
	case *notionapi.LinkPreviewBlock:
		target = l.LinkPreview.URL
	case *notionapi.ChildPageBlock:
		text, target = cmp.Or(l.ChildPage.Title, "Untitled page"), pageURL(string(l.ID))
	case *notionapi.ChildDatabaseBlock:
		text, target = cmp.Or(l.ChildDatabase.Title, "Untitled database"), pageURL(string(l.ID))
	case *notionapi.LinkToPageBlock:
		if l.LinkToPage.PageID != "" {
			text, target = cmp.Or(c.titles[l.LinkToPage.PageID], "Linked Notion page"), pageURL(string(l.LinkToPage.PageID))
		} else {
			text, target = "Linked Notion database", pageURL(string(l.LinkToPage.DatabaseID))
		}
	default:
		return nil, false
	}
	if target == "" {
		c.warn("Notion %s block %s has no URL and is left out", b.GetType(), b.GetID())
		return nil, true
	}
	return paragraph([]content.Inline{{Text: cmp.Or(text, target), Link: target}}), true
}

// pageURL is the notion.so address of a page or database.
func pageURL(id string) string {
	return "https://www.notion.so/" + strings.ReplaceAll(id, "-", "")
}
