package notion

import (
	"cmp"
	"time"

	"github.com/jomei/notionapi"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/sources/internal/inline"
)

// rich converts Notion rich text to trimmed runs.
func (c *converter) rich(rts []notionapi.RichText) []content.Inline {
	var runs []content.Inline
	for _, rt := range rts {
		style := content.Inline{Link: rt.Href}
		if a := rt.Annotations; a != nil {
			style.Bold, style.Italic, style.Strike, style.Underline, style.Code = a.Bold, a.Italic, a.Strikethrough, a.Underline, a.Code
		}
		if rt.Type == "equation" {
			style.Code = true
		}
		runs = inline.Append(runs, plain(rt), style)
	}
	return inline.Trim(runs)
}

// plain is the text of one rich text object. Mentions read as Notion shows
// them (a user's name, a page's title, a link's URL); dates are written
// out as start → end.
func plain(rt notionapi.RichText) string {
	switch {
	case rt.Type == "text" && rt.Text != nil:
		return rt.Text.Content
	case rt.Type == "equation" && rt.Equation != nil:
		return rt.Equation.Expression
	case rt.Type == "mention" && rt.Mention != nil:
		return mention(rt)
	}
	return rt.PlainText
}

func mention(rt notionapi.RichText) string {
	m := rt.Mention
	switch {
	case m.Type == notionapi.MentionTypeDate && m.Date != nil && m.Date.Start != nil:
		text := date(m.Date.Start)
		if m.Date.End != nil {
			text += " → " + date(m.Date.End)
		}
		return text
	case rt.PlainText != "":
		return rt.PlainText
	case m.User != nil:
		return "@" + cmp.Or(m.User.Name, string(m.User.ID))
	case m.Page != nil:
		return string(m.Page.ID)
	case m.Database != nil:
		return string(m.Database.ID)
	}
	return ""
}

// date writes a Notion date; a date without a time has no time of day.
func date(d *notionapi.Date) string {
	t := time.Time(*d)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Location() == time.UTC {
		return t.Format("2 January 2006")
	}
	return t.Format("2 January 2006 15:04 MST")
}
