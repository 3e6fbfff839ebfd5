package activities

import (
	"html"
	"strings"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// withWarnings puts warnings at the top of a proof's HTML and text, so
// approvers see them before they approve.
func withWarnings(v crm.Variant, warnings []string) crm.Variant {
	if len(warnings) == 0 {
		return v
	}
	var h, t strings.Builder
	h.WriteString(`<div style="margin:0 0 16px 0;padding:12px 16px;border:2px solid #b54708;background:#fffaeb;color:#7a2e0e;font-family:sans-serif;font-size:14px;">`)
	h.WriteString("<strong>Before you approve:</strong><ul>")
	t.WriteString("BEFORE YOU APPROVE:\n")
	for _, w := range warnings {
		// Warnings quote headings: escape them, and keep {{ from reading
		// as a merge tag.
		esc := mergetag.Escape(w)
		h.WriteString("<li>" + html.EscapeString(esc) + "</li>")
		t.WriteString("- " + esc + "\n")
	}
	h.WriteString("</ul></div>")
	t.WriteString("\n")
	if i := strings.Index(strings.ToLower(v.HTML), "<body"); i >= 0 {
		if j := strings.IndexByte(v.HTML[i:], '>'); j >= 0 {
			at := i + j + 1
			v.HTML = v.HTML[:at] + h.String() + v.HTML[at:]
		}
	} else {
		v.HTML = h.String() + v.HTML
	}
	v.Text = t.String() + v.Text
	return v
}
