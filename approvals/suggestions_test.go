package approvals

import (
	"bytes"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/workflows"
)

// TestSuggestionsPageEscapesModelText: model text on the approve page is
// text, never markup, and each suggestion that changes something gets
// its own accept form carrying the page's token.
func TestSuggestionsPageEscapesModelText(t *testing.T) {
	pv := workflows.Preview{Suggestions: &suggest.Suggestions{Model: "m<b>", Suggestions: []suggest.Suggestion{
		{ID: "subject:1", Kind: suggest.KindSubject, Original: "Weekly", Text: `<script>alert(1)</script> {{email}}`},
		{ID: "social.x", Kind: suggest.KindSocial, Target: "x", Original: "old", Text: `<a href="javascript:alert(1)">go</a>`},
		{ID: "preheader", Kind: suggest.KindPreheader, Original: "same", Text: "same"},
	}, Findings: []suggest.Finding{{Kind: suggest.FindingJargon, Quote: "<img src=x onerror=alert(1)>", Note: "n"}}}}
	st := workflows.Status{AI: &workflows.AIStatus{Accepted: []workflows.Accepted{{ID: "summary.tips", By: "ana@example.com", Dropped: "refresh 1: <i>gone</i>"}}}}
	p := confirmPage{Token: "v1.k.t.s", Action: "approve", Label: "Approve", Edition: "2026-W48", Suggestions: suggestionsOf(pv, st)}
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "confirm", p); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script>alert", `href="javascript:`, "<img src=x", "<i>gone", "m<b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page carries model markup %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; {{email}}", `id="accept-subject-1"`, `id="accept-social-x"`,
		`<input type="hidden" name="accept" value="social.x">`, "The edition says this now.", "left out: refresh 1: &lt;i&gt;gone&lt;/i&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="accept-preheader"`) {
		t.Error("a suggestion the edition already says has an accept button")
	}
	if n := strings.Count(page, `name="token" value="v1.k.t.s"`); n != 3 {
		t.Errorf("%d forms carry the token, want 3 (approve, subject:1, social.x)", n)
	}
}
