package activities

import (
	"context"
	"html"
	"net/http"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
	"github.com/halcytone/contentgen/httpapi"
)

// SenderReporter is a CRM that says how it sends (crmclient.Client implements
// it): whether it signs with DKIM, and for which domain.
type SenderReporter interface {
	Sender(ctx context.Context) (crm.Sender, error)
}

// senderWarnings asks the CRM how it sends and warns about what will hurt
// delivery: no DKIM signature, or one whose domain is not aligned with the
// sender's (DMARC). The CRM answers with facts, never keys; a CRM that
// cannot tell gives no warning.
func (a *Activities) senderWarnings(ctx context.Context) []string {
	sr, ok := a.CRM.(SenderReporter)
	if !ok {
		return nil
	}
	s, err := sr.Sender(ctx)
	if err != nil {
		if se, ok := httpapi.AsStatusError(err); !ok || se.StatusCode != http.StatusNotFound {
			activity.GetLogger(ctx).Warn("cannot read the CRM's sender settings; the proof says nothing of DKIM", "err", err)
		}
		return nil
	}
	domain := s.From[strings.LastIndexByte(s.From, '@')+1:]
	switch {
	case !s.DKIM:
		return []string{"The CRM signs no email with DKIM for " + domain + ": Gmail, Yahoo and Outlook junk or refuse unsigned bulk mail. " +
			"Configure a DKIM key on the CRM (reference CRM: CRM_DKIM_KEY and CRM_DKIM_SELECTOR) and publish it at <selector>._domainkey." + domain + "."}
	case !aligned(s.DKIMDomain, domain):
		return []string{"The CRM signs with DKIM for " + s.DKIMDomain + ", which is not aligned with the sender domain " + domain +
			": DMARC will not pass on that signature. Sign for " + domain + " or one of its parent domains."}
	}
	return nil
}

// aligned approximates DMARC relaxed alignment (the same organisational
// domain) without the public suffix list: one domain is the other or a
// parent of it, or both end in the same two labels. It errs towards
// "aligned", so the proof warns only about plain mismatches.
func aligned(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	return a == b || strings.HasSuffix(a, "."+b) || strings.HasSuffix(b, "."+a) || lastLabels(a, 2) == lastLabels(b, 2)
}

func lastLabels(d string, n int) string {
	labels := strings.Split(d, ".")
	return strings.Join(labels[max(0, len(labels)-n):], ".")
}

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
	return prependToBody(v, h.String(), t.String())
}
