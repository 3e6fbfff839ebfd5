// Package linkcheck warns about links and images of a converted document
// that the renderers will not link or show (javascript:, data:, relative
// paths …), so an editor learns why a link went plain instead of finding
// out from the sent newsletter.
package linkcheck

import (
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/content"
)

// Warnings returns one warning per distinct link or image URL of doc that
// is not http, https (or mailto, for links), in document order.
func Warnings(doc content.Document) []string {
	c := checker{seen: map[string]bool{}}
	c.blocks(doc.Blocks)
	return c.warnings
}

type checker struct {
	seen     map[string]bool
	warnings []string
}

func (c *checker) blocks(bs []content.Block) {
	for _, b := range bs {
		c.inlines(b.Inlines)
		for _, it := range b.Items {
			c.inlines(it.Inlines)
			c.blocks(it.Children)
		}
		c.blocks(b.Children)
		for _, row := range b.Rows {
			for _, cell := range row {
				c.inlines(cell.Inlines)
			}
		}
		if b.Kind == content.KindImage {
			if b.URL != "" && !hasScheme(b.URL, "http", "https") {
				c.warn(b.URL, fmt.Sprintf("image %q is not an http or https URL, so email clients cannot show it; upload it and link the https URL", b.URL))
			}
			c.link(b.Link, b.Alt)
		}
	}
}

func (c *checker) inlines(ins []content.Inline) {
	for i := 0; i < len(ins); i++ {
		if ins[i].Link == "" {
			continue
		}
		text := ins[i].Text
		for i+1 < len(ins) && ins[i+1].Link == ins[i].Link {
			i++
			text += ins[i].Text
		}
		c.link(ins[i].Link, text)
	}
}

func (c *checker) link(url, text string) {
	if url == "" || hasScheme(url, "http", "https", "mailto") {
		return
	}
	c.warn(url, fmt.Sprintf("link %q on %q is not an http, https or mailto URL; it shows as plain text in the newsletter", url, strings.Join(strings.Fields(text), " ")))
}

func (c *checker) warn(url, msg string) {
	if !c.seen[url] {
		c.seen[url] = true
		c.warnings = append(c.warnings, msg)
	}
}

func hasScheme(u string, schemes ...string) bool {
	scheme, _, ok := strings.Cut(strings.TrimSpace(u), ":")
	if !ok {
		return false
	}
	for _, s := range schemes {
		if strings.EqualFold(scheme, s) {
			return true
		}
	}
	return false
}
