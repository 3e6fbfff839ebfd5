package activities

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

func TestProofShowsSuggestionsEscaped(t *testing.T) {
	// Clean has run on model text, but the proof must not rely on it.
	s := &suggest.Suggestions{Model: "test-model",
		Suggestions: []suggest.Suggestion{{ID: "subject:1", Kind: suggest.KindSubject, Original: "Old", Text: `<script>alert(1)</script> Hi {{email}}`}},
		Findings:    []suggest.Finding{{Kind: suggest.FindingJargon, Quote: "<b>firmware</b>", Note: "say software"}},
	}
	v := withSuggestions(crm.Variant{HTML: "<html><body><p>mail</p></body></html>", Text: "mail\n"}, s)
	if !strings.Contains(v.HTML, "<body>\n<div") || !strings.Contains(v.HTML, "<code>subject:1</code>") || !strings.HasSuffix(v.Text, "mail\n") {
		t.Fatalf("block not placed:\n%s\n%s", v.HTML, v.Text)
	}
	if strings.Contains(v.HTML, "<script>") || strings.Contains(v.HTML, "<b>firmware") {
		t.Errorf("suggestion markup reached the proof HTML:\n%s", v.HTML)
	}
	lookup := func(string) (string, bool) { return "approver@example.com", true }
	for name, part := range map[string]string{"html": v.HTML, "text": v.Text} {
		if merged := mergetag.Merge(part, lookup, nil, nil); strings.Contains(merged, "approver@example.com") {
			t.Errorf("%s: a merge tag in a suggestion reached recipient data", name)
		}
	}
	if !strings.Contains(v.Text, "suggested: <script>alert(1)</script> Hi {{open}}email}}") {
		t.Errorf("text part:\n%s", v.Text)
	}
	if got := withSuggestions(crm.Variant{Text: "x"}, nil); got.Text != "x" {
		t.Error("no suggestions changed the proof")
	}
}
