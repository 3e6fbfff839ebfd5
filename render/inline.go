package render

import (
	"strings"

	"github.com/halcytone/contentgen/content"
)

// linkGroup is a run of inlines that share one link ("" for none), so a
// link whose text mixes formatting renders as one anchor.
type linkGroup struct {
	link string
	runs []content.Inline
}

// groupInlines drops links that are not safe to follow (their text stays),
// joins neighbouring runs with the same formatting, and groups runs by link.
func groupInlines(ins []content.Inline) []linkGroup {
	var groups []linkGroup
	for _, in := range ins {
		if in.Text == "" {
			continue
		}
		in.Link = linkURL(in.Link)
		if n := len(groups); n > 0 && groups[n-1].link == in.Link {
			g := &groups[n-1]
			last := &g.runs[len(g.runs)-1]
			if sameFormat(*last, in) && in.Text != "\n" && last.Text != "\n" {
				last.Text += in.Text
			} else {
				g.runs = append(g.runs, in)
			}
			continue
		}
		groups = append(groups, linkGroup{link: in.Link, runs: []content.Inline{in}})
	}
	return groups
}

func sameFormat(a, b content.Inline) bool {
	return a.Bold == b.Bold && a.Italic == b.Italic && a.Strike == b.Strike &&
		a.Underline == b.Underline && a.Code == b.Code
}

// plainInlines is the text of inlines as a reader sees it, links written
// "text (url)" unless the text already is the address.
func plainInlines(ins []content.Inline) string {
	var b strings.Builder
	for _, g := range groupInlines(ins) {
		text := content.Text(g.runs)
		b.WriteString(text)
		if g.link == "" {
			continue
		}
		shown := strings.TrimPrefix(g.link, "mailto:")
		if strings.TrimSpace(text) != shown && strings.TrimSpace(text) != g.link {
			b.WriteString(" (" + shown + ")")
		}
	}
	return b.String()
}

// splitSpace returns the leading whitespace, the middle and the trailing
// whitespace of s, so emphasis markers can hug the text.
func splitSpace(s string) (lead, mid, trail string) {
	mid = strings.TrimLeft(s, " \t\n")
	lead = s[:len(s)-len(mid)]
	t := strings.TrimRight(mid, " \t\n")
	return lead, t, mid[len(t):]
}
