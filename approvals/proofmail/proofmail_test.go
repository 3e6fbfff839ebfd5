package proofmail

import (
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
)

func data(publicURL string) Data {
	return Data{Edition: "2026-W49", WorkflowID: "newsletter-2026-W49", Approver: "o'neil@example.com",
		Deadline: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC), PublicURL: publicURL,
		Tokens:          map[string]string{token.ActionApprove: "v1.k.A.a", token.ActionReject: "v1.k.R.r", token.ActionRequestChanges: "v1.k.C.c"},
		ApprovedEarlier: true, ChangesSince: []content.SectionChange{{Heading: "Tips", Change: content.ChangeChanged, Diff: "+ Hi {{first_name}}"}}}
}

var email = crm.Variant{Subject: "Weekly", HTML: "<html><body class=x><p>Edition</p></body></html>", Text: "Edition"}

func TestBuildWithLinks(t *testing.T) {
	m, err := Build(data("https://approve.example.com/"), email)
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "o'neil@example.com" || m.Subject != "[Proof] Weekly" {
		t.Errorf("to %q subject %q", m.To, m.Subject)
	}
	if !strings.Contains(m.HTML, `href="https://approve.example.com/decide?token=v1.k.A.a"`) {
		t.Errorf("HTML lacks the approve link:\n%s", m.HTML)
	}
	if i, j := strings.Index(m.HTML, "<body class=x>"), strings.Index(m.HTML, `id="approval"`); i < 0 || j < i {
		t.Error("the approval block is not at the top of the body")
	}
	// The shell command survives an apostrophe in the address.
	want := `--name approve --input '{"by":"o'\''neil@example.com","token":"v1.k.A.a"}'`
	if !strings.Contains(m.Text, want) {
		t.Errorf("text lacks %s:\n%s", want, m.Text)
	}
	// Document text in the diff never becomes a merge tag.
	if strings.Contains(m.Text, "{{first_name}}") || strings.Contains(m.HTML, "{{first_name}}") {
		t.Error("a diff's {{first_name}} would be merged")
	}
	if !strings.Contains(m.Text, "changed after you approved") || !strings.Contains(m.Text, "Tips") {
		t.Errorf("text does not say what changed since the approval:\n%s", m.Text)
	}
}

func TestBuildWithoutPublicURL(t *testing.T) {
	d := data("")
	d.Reminder = true
	m, err := Build(d, email)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "/decide?token=") || !strings.Contains(m.HTML, "<details open") {
		t.Error("without a public URL the proof must show commands, open, and no links")
	}
	if !strings.HasPrefix(m.Subject, "[Reminder] [Proof] ") || !strings.Contains(m.Text, "starter approve --workflow-id newsletter-2026-W49") {
		t.Errorf("subject %q or no starter command:\n%s", m.Subject, m.Text)
	}
}
