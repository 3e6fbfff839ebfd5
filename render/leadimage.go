package render

import (
	"strings"

	"github.com/halcytone/contentgen/content"
)

// maxLeadImageURL is the longest image URL attached to social drafts: no
// network fetches longer ones, and every draft would carry it.
const maxLeadImageURL = 2048

// leadImage is the document's first image with a public http(s) URL, in
// the intro or a section shown to everyone (a segment's image stays out of
// public posts), with its alt text.
func leadImage(p content.Parsed) (url, alt string) {
	if u, a, ok := firstImage(p.Intro); ok {
		return u, a
	}
	for _, s := range p.Sections {
		if len(s.Segments) > 0 {
			continue
		}
		if u, a, ok := firstImage(s.Blocks); ok {
			return u, a
		}
	}
	return "", ""
}

func firstImage(bs []content.Block) (url, alt string, ok bool) {
	for _, b := range bs {
		if b.Kind == content.KindImage {
			if u := imageURL(b.URL); u != "" && len(u) <= maxLeadImageURL {
				alt = strings.TrimSpace(b.Alt)
				if alt == "" {
					alt = strings.TrimSpace(content.Text(b.Inlines))
				}
				return u, alt, true
			}
		}
		if u, a, ok := firstImage(b.Children); ok {
			return u, a, true
		}
		for _, it := range b.Items {
			if u, a, ok := firstImage(it.Children); ok {
				return u, a, true
			}
		}
	}
	return "", "", false
}
