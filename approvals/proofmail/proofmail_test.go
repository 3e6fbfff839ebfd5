package proofmail

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
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

// TestVariantSharedByApprovers: two approvers get one body; the CRM's
// merge of each one's values gives what Build gives that approver.
func TestVariantSharedByApprovers(t *testing.T) {
	a, b := data("https://approve.example.com"), data("https://approve.example.com")
	b.Approver, b.Tokens = "bo@example.com", map[string]string{token.ActionApprove: "v1.k.B.b", token.ActionReject: "v1.k.S.s", token.ActionRequestChanges: "v1.k.D.d"}
	if Key(a) != Key(b) {
		t.Fatal("approvers with the same block need different variants")
	}
	v, err := Variant(a, email, "proof")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(v.HTML, "v1.k.") || strings.Contains(v.Text, "v1.k.") || strings.Contains(v.HTML, "o'neil") {
		t.Fatal("the shared variant carries an approver's token or address")
	}
	merged := func(s string, values map[string]string, escape func(string) string) string {
		return mergetag.Merge(s, func(f string) (string, bool) { x, ok := values[f]; return x, ok }, nil, escape)
	}
	for _, d := range []Data{a, b} {
		want, err := Build(d, email)
		if err != nil {
			t.Fatal(err)
		}
		values := Merge(d)
		if got := merged(v.HTML, values, html.EscapeString); got != merged(want.HTML, nil, html.EscapeString) {
			t.Errorf("%s: merged HTML differs from Build:\n%s\n---\n%s", d.Approver, got, want.HTML)
		}
		if got := merged(v.Text, values, nil); got != merged(want.Text, nil, nil) {
			t.Errorf("%s: merged text differs from Build", d.Approver)
		}
		if !strings.Contains(merged(v.HTML, values, html.EscapeString), Link(d.PublicURL, d.Tokens[token.ActionApprove])) {
			t.Errorf("%s: merged HTML lacks the approver's own approve link", d.Approver)
		}
	}
	b.ApprovedEarlier = false
	if Key(a) == Key(b) {
		t.Error("an approver whose approval was voided shares a block with one whose was not")
	}
}

// Send-control tokens become links to the approval page too, next to
// their commands, when the service has a public URL.
func TestSendControlLinks(t *testing.T) {
	d := data("https://approve.example.com")
	d.SendTokens = map[string]string{token.ActionPauseSend: "v1.k.P.p", token.ActionResumeSend: "v1.k.U.u", token.ActionCancelSend: "v1.k.X.x"}
	m, err := Build(d, email)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"v1.k.P.p", "v1.k.U.u", "v1.k.X.x"} {
		link := "https://approve.example.com/decide?token=" + tok
		if !strings.Contains(m.HTML, `href="`+link+`"`) || !strings.Contains(m.Text, link) {
			t.Errorf("proof lacks the send-control link %s", link)
		}
	}
	if !strings.Contains(m.HTML, ">Pause the send</a>") || !strings.Contains(m.Text, "starter send pause --workflow-id newsletter-2026-W49") {
		t.Errorf("proof lacks the pause link label or command:\n%s", m.Text)
	}
	d.PublicURL = ""
	m, err = Build(d, email)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "/decide?token=v1.k.P.p") {
		t.Error("without a public URL the proof links nowhere")
	}
}
