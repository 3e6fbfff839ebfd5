package render

import (
	"html"
	"strings"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// ProofNote returns v with a note at the top of its body naming the
// email-only sections and who gets them, so approvers of a proof know
// what the default email leaves out. With no such section v is unchanged.
func ProofNote(v crm.Variant, emailOnly []EmailOnlySection) crm.Variant {
	if len(emailOnly) == 0 {
		return v
	}
	lines := make([]string, len(emailOnly))
	for i, s := range emailOnly {
		lines[i] = mergetag.Escape(oneLine(s.Heading) + " — for " + strings.Join(s.Segments, ", ") + " only")
	}
	const intro = "Email-only sections (not on the web, in the feed or in social drafts):"
	v.Text = intro + "\n- " + strings.Join(lines, "\n- ") + "\n\n" + v.Text
	var b strings.Builder
	b.WriteString(`<div style="padding:12px;border:1px solid #c9a227;background-color:#fff8e1;font-family:sans-serif;font-size:14px;">` + intro + "<ul>")
	for _, l := range lines {
		b.WriteString("<li>" + html.EscapeString(l) + "</li>")
	}
	b.WriteString("</ul></div>")
	at := 0
	if i := strings.Index(v.HTML, "<body"); i >= 0 {
		if j := strings.IndexByte(v.HTML[i:], '>'); j >= 0 {
			at = i + j + 1
		}
	}
	v.HTML = v.HTML[:at] + b.String() + v.HTML[at:]
	return v
}
