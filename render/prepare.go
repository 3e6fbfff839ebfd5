package render

import (
	"cmp"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// Lengths of the derived texts, in characters.
const (
	maxSummary   = 200
	maxPreheader = 140
)

// document is a parsed document with every part rendered once, shared by
// all channels and variants.
type document struct {
	title, summary, preheader string
	introSummary              string // the summary when the intro gave it
	ed                        Edition
	dateText, dateISO         string
	lang, dir                 string
	slug, url                 string
	image, imageAlt           string // the lead image, for social posts
	intro                     rendered
	sections                  []renderedSection
	stats                     []StatView
}

// rendered is one piece of the document in every format. The email
// formats are merge-tag escaped once here, so no variant copies them.
type rendered struct {
	emailHTML, webHTML, text, markdown string
}

type renderedSection struct {
	key, heading, anchor string
	segments             []string
	lead                 string
	body                 rendered
}

func renderBlocks(bs []content.Block, styles emailStyles) rendered {
	// The whole fragment is escaped at once, so "{" ending one run and
	// "{" starting the next cannot join into a tag.
	return rendered{
		emailHTML: mergetag.Escape(strings.TrimSuffix(blocksHTML(bs, styles), "\n")),
		webHTML:   strings.TrimSuffix(blocksHTML(bs, nil), "\n"),
		text:      mergetag.Escape(blocksText(bs, textWidth)),
		markdown:  blocksMarkdown(bs),
	}
}

// dropEmail lets the email formats go once every variant is rendered.
func (d *document) dropEmail() {
	d.intro.emailHTML, d.intro.text = "", ""
	for i := range d.sections {
		d.sections[i].body.emailHTML, d.sections[i].body.text = "", ""
	}
}

// emailSize is about the bytes of an email of the sections in idx, to
// size the buffer it is rendered into.
func (d *document) emailSize(idx []int) (html, text int) {
	html, text = len(d.intro.emailHTML)+64<<10, len(d.intro.text)+16<<10
	for _, i := range idx {
		html += len(d.sections[i].body.emailHTML) + 2<<10
		text += len(d.sections[i].body.text) + 256
	}
	return html, text
}

// prepare renders every part of p. With release it lets go of each
// section's blocks once they are rendered (cleared, and nil in p's
// sections), so a large document's blocks and its rendered parts are not
// all in memory at once.
func prepare(p content.Parsed, ed Edition, styles emailStyles, release bool) *document {
	d := &document{title: strings.TrimSpace(p.Title), ed: ed, intro: renderBlocks(p.Intro, styles), lang: cmp.Or(p.Lang, "en"), dir: direction(p)}
	d.image, d.imageAlt = leadImage(p)
	if d.title == "" {
		d.title = "Newsletter"
	}
	if !ed.Date.IsZero() {
		d.dateText = ed.Date.Format("2 January 2006")
		d.dateISO = ed.Date.Format("2006-01-02")
	}
	anchors := map[string]int{"by-the-numbers": 1} // the stats block's anchor
	for _, s := range p.Sections {
		heading := oneLine(s.Heading)
		d.sections = append(d.sections, renderedSection{
			key:      s.Category,
			heading:  heading,
			anchor:   uniqueSlug(anchors, slugify(heading, 60), "section"),
			segments: content.NormalizeSegments(s.Segments),
			lead:     leadText(s.Blocks),
			body:     renderBlocks(s.Blocks, styles),
		})
		if release {
			// Sections share one array of blocks: clearing them lets
			// what they hold go now, not when the last section is done.
			s := &p.Sections[len(d.sections)-1]
			clear(s.Blocks)
			s.Blocks = nil
		}
	}
	lead := leadText(p.Intro)
	d.introSummary = fitPrefix(lead, maxChars(maxSummary))
	// The summary and preheader go to everyone, so they never come from a
	// section limited to some segments.
	for _, i := range d.public() {
		if lead != "" {
			break
		}
		lead = d.sections[i].lead
	}
	d.summary = fitPrefix(lead, maxChars(maxSummary))
	d.preheader = fitPrefix(lead, maxChars(maxPreheader))
	d.slug = webSlug(ed.ID, d.title)
	d.url = strings.TrimRight(ed.WebBaseURL, "/") + "/updates/" + d.slug
	for _, s := range ed.Stats {
		d.stats = append(d.stats, statView(s))
	}
	return d
}

// view builds the template data for a channel. Email views carry only the
// sections in idx, with document text escaped for merge tags.
func (d *document) view(channel string, idx []int) *View {
	esc := func(s string) string { return s }
	if channel == channelEmail {
		esc = mergetag.Escape
	}
	v := &View{
		Channel: channel, Lang: d.lang, Dir: d.dir, Title: esc(d.title), Edition: esc(d.ed.ID), Date: d.ed.Date,
		DateText: d.dateText, DateISO: d.dateISO,
		Summary: esc(d.summary), Preheader: esc(d.preheader), WebURL: esc(d.url),
		Intro: d.intro.body(channel),
	}
	for _, i := range idx {
		s := d.sections[i]
		if s.key != "" && !slices.Contains(v.Tags, s.key) {
			v.Tags = append(v.Tags, s.key)
		}
		v.Sections = append(v.Sections, SectionView{
			Key: s.key, Heading: esc(s.heading), Anchor: s.anchor, Segments: s.segments, Body: s.body.body(channel),
		})
	}
	for _, st := range d.stats {
		v.Stats = append(v.Stats, StatView{Label: esc(st.Label), Value: st.Value, Unit: esc(st.Unit), Figure: esc(st.Figure), Text: esc(st.Text)})
	}
	return v
}

// body picks the formats of a channel.
func (r rendered) body(channel string) Body {
	if channel == channelEmail {
		return Body{HTML: template.HTML(r.emailHTML), Text: r.text}
	}
	return Body{HTML: template.HTML(r.webHTML), Markdown: r.markdown}
}

// public lists the sections for everyone: the only ones the web update,
// the feed built from it and the social drafts may carry.
func (d *document) public() []int { return sectionsFor(d.sections, nil) }

// statView formats a usage figure for readers.
func statView(s Stat) StatView {
	v := StatView{Label: strings.TrimSpace(s.Label), Value: formatNumber(s.Value), Unit: strings.TrimSpace(s.Unit)}
	switch v.Unit {
	case "":
		v.Figure = v.Value
	case "%":
		v.Figure = v.Value + "%"
	default:
		v.Figure = v.Value + " " + v.Unit
	}
	v.Text = strings.TrimSpace(v.Figure + " " + v.Label)
	return v
}

// formatNumber writes v with thousands separators and at most two
// decimals: 12400 → "12,400", 6.5 → "6.5".
func formatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if frac != "" {
		whole += "." + frac
	}
	if whole == "0" {
		sign = ""
	}
	return sign + whole
}
