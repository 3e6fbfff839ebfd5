package activities

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/edition"
	"github.com/halcytone/contentgen/platform/reportlink"
	"github.com/halcytone/contentgen/report"
	"github.com/halcytone/contentgen/report/lastedition"
)

// ReportOptions configure the "Last edition" block of proofs. The link
// secret stays in the worker: links are signed inside SendProof and only
// reach the approvers' mailboxes.
type ReportOptions struct {
	// Source reads an edition's email figures (the CRM client); nil
	// leaves the block out.
	Source report.EmailSource
	// LinkSecret signs the link to the last edition's report page
	// (the first of REPORT_LINK_SECRET); nil: the block has no link.
	LinkSecret []byte
	// LinkValidity is how long that link opens the report (default
	// reportlink.DefaultValidity).
	LinkValidity time.Duration
}

// ReadLastEdition reads what the edition before in.Edition achieved: the
// last update published on the Platform (else the ISO week before), its
// email figures at the CRM and its web views. Figures that cannot be read
// are a note, never a failure: the proof goes out without the block.
func (a *Activities) ReadLastEdition(ctx context.Context, in activitytypes.LastEditionInput) (activitytypes.LastEditionResult, error) {
	ctx = withRunCorrelation(ctx)
	if a.Reports.Source == nil {
		return activitytypes.LastEditionResult{Note: "no CRM to read the last edition's figures from"}, nil
	}
	prev := ""
	if a.Platform != nil {
		if last, ok, err := a.Platform.LatestUpdate(ctx); err == nil && ok && last.Edition != in.Edition {
			prev = last.Edition
		}
	}
	if prev == "" {
		start, err := edition.WeekStart(in.Edition)
		if err != nil {
			return activitytypes.LastEditionResult{Note: "no earlier edition found"}, nil
		}
		prev = edition.ForTime(start.AddDate(0, 0, -7))
	}
	var web report.WebSource
	if w, ok := a.Platform.(report.WebSource); ok {
		web = w
	}
	fig := report.Read(ctx, prev, a.Reports.Source, web)
	sum, ok := report.Summarize(fig)
	if !ok {
		return activitytypes.LastEditionResult{Note: fmt.Sprintf("figures of edition %s unavailable: %s", prev, fig.EmailUnavailable)}, nil
	}
	return activitytypes.LastEditionResult{Summary: &sum}, nil
}

// reportLink is the signed link to the report of the edition l, or "".
func (a *Activities) reportLink(l lastedition.Summary) string {
	if len(a.Reports.LinkSecret) == 0 || l.Slug == "" || a.WebBaseURL == "" {
		return ""
	}
	valid := a.Reports.LinkValidity
	if valid <= 0 {
		valid = reportlink.DefaultValidity
	}
	return reportlink.URL(a.WebBaseURL, l.Slug, a.Reports.LinkSecret, time.Now().Add(valid))
}

// withLastEdition puts the "Last edition" block at the top of a proof's
// HTML and text, so approvers see how the last edition did before they
// approve this one.
func withLastEdition(v crm.Variant, l *lastedition.Summary, link string) crm.Variant {
	if l == nil {
		return v
	}
	lines := l.Lines()
	var h, t strings.Builder
	h.WriteString(`<div class="last-edition" style="margin:0 0 16px 0;padding:12px 16px;border:1px solid #2f6f7e;background:#eef6f8;color:#1d2428;font-family:sans-serif;font-size:14px;">`)
	h.WriteString("<strong>Last edition</strong>")
	t.WriteString("LAST EDITION\n")
	for _, line := range lines {
		// Section names come from documents: escape them, and keep {{
		// from reading as a merge tag.
		esc := mergetag.Escape(line)
		h.WriteString("<br>" + html.EscapeString(esc))
		t.WriteString(esc + "\n")
	}
	if link != "" {
		h.WriteString(`<br><a href="` + html.EscapeString(link) + `">Full report</a>`)
		t.WriteString("Full report: " + link + "\n")
	}
	h.WriteString("</div>")
	t.WriteString("\n")
	return prependToBody(v, h.String(), t.String())
}

// prependToBody inserts htmlBlock after <body> (or at the start) and
// textBlock at the start of the text.
func prependToBody(v crm.Variant, htmlBlock, textBlock string) crm.Variant {
	if i := strings.Index(strings.ToLower(v.HTML), "<body"); i >= 0 {
		if j := strings.IndexByte(v.HTML[i:], '>'); j >= 0 {
			at := i + j + 1
			v.HTML = v.HTML[:at] + htmlBlock + v.HTML[at:]
		}
	} else {
		v.HTML = htmlBlock + v.HTML
	}
	v.Text = textBlock + v.Text
	return v
}
