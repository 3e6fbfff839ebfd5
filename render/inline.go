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
	// last holds the text of the last run: appending to a string run by run
	// would take time growing with the square of a paragraph's length.
	var last strings.Builder
	flush := func() {
		if n := len(groups); n > 0 {
			g := &groups[n-1]
			g.runs[len(g.runs)-1].Text = last.String()
		}
	}
	for _, in := range ins {
		if in.Text == "" {
			continue
		}
		in.Link = linkURL(in.Link)
		n := len(groups)
		switch {
		case n == 0 || groups[n-1].link != in.Link:
			flush()
			groups = append(groups, linkGroup{link: in.Link, runs: []content.Inline{in}})
		case sameFormat(groups[n-1].runs[len(groups[n-1].runs)-1], in) && in.Text != "\n" && last.String() != "\n":
			last.WriteString(in.Text)
			continue
		default:
			flush()
			groups[n-1].runs = append(groups[n-1].runs, in)
		}
		last.Reset()
		last.WriteString(in.Text)
	}
	flush()
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
