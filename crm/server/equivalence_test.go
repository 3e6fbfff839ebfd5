package server

import (
	"bytes"
	"database/sql"
	"fmt"
	"html"
	"net/mail"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
	gomail "github.com/wneessen/go-mail"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// legacyMessage builds a message the way the CRM did before bodies were
// prepared once per variant: merged in full, then written by go-mail. It
// is the reference the prepared path must decode the same as.
func legacyMessage(t *testing.T, s *Server, c content, j *job) (msg []byte, merged mergedBodies) {
	t.Helper()
	unsub := j.merge[mergetag.FieldUnsubscribeURL]
	if j.token.Valid {
		unsub = s.unsubscribeURL(j.token.String)
	}
	derived := crm.MergeValues(crm.Recipient{Email: j.address, Name: j.name, UnsubscribeURL: unsub})
	lookup := func(f string) (string, bool) {
		if v := j.merge[f]; v != "" {
			return v, true
		}
		v, ok := derived[f]
		return v, ok
	}
	fallback := func(f string) (string, bool) {
		v, ok := c.fallbacks[f]
		return v, ok
	}
	subject := oneLine(mergetag.Merge(c.subject, lookup, fallback, nil))
	htmlBody := mergetag.Merge(c.html, lookup, fallback, html.EscapeString)
	if c.preheader != "" && htmlBody != "" {
		htmlBody = legacyPreheader(htmlBody, mergetag.Merge(html.EscapeString(c.preheader), lookup, fallback, html.EscapeString))
	}
	textBody := mergetag.Merge(c.text, lookup, fallback, nil)
	merged = mergedBodies{html: htmlBody, text: textBody}

	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(s.from)
	if err := m.AddToFormat(oneLine(j.name), j.address); err != nil {
		t.Fatalf("recipient %s: %v", j.address, err)
	}
	m.Subject(subject)
	m.SetMessageIDWithValue(s.messageID(j))
	m.SetDate()
	m.SetGenHeader(gomail.Header(HeaderNewsletterID), j.newsletterID)
	if unsub != "" {
		m.SetListUnsubscribe(unsub)
		m.SetListUnsubscribePost()
	}
	switch {
	case textBody != "" && htmlBody != "":
		m.SetBodyString(gomail.TypeTextPlain, textBody)
		m.AddAlternativeString(gomail.TypeTextHTML, htmlBody)
	case htmlBody != "":
		m.SetBodyString(gomail.TypeTextHTML, htmlBody)
	default:
		m.SetBodyString(gomail.TypeTextPlain, textBody)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), merged
}

// mergedBodies are the bodies a message should decode to.
type mergedBodies struct{ html, text string }

// crlf writes every line break (CR, LF or CRLF) as CRLF, as a
// quoted-printable decoder returns them.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func legacyPreheader(body, pre string) string {
	if strings.TrimSpace(pre) == "" || strings.Contains(body, pre) {
		return body
	}
	div := `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">` + pre + `</div>`
	lower := strings.ToLower(body)
	if i := strings.Index(lower, "<body"); i >= 0 {
		if end := strings.IndexByte(body[i:], '>'); end >= 0 {
			at := i + end + 1
			return body[:at] + div + body[at:]
		}
	}
	return div + body
}

// hostileValues are merge values chosen to break an encoder.
var hostileValues = []string{
	"",
	"Ann",
	"Zoë Ærøskøbing 東京 🚀",
	strings.Repeat("Supercalifragilistic", 12),
	"a=b == =3D =\r\n=",
	".leading dot",
	"\n.\n..\r\n.",
	"line\r\nBcc: evil@example.com",
	"cr only\rand lf only\nend",
	"trailing space \n tab\t\nend ",
	"<script>alert('x')</script> & \"quoted\"",
	"{{name}} {{open}} }}",
	strings.Repeat("ü", 1000),
	strings.Repeat("x ", 1000),
	strings.Repeat(".", 2000),
	"From the start",
	"\r",
	" ",
}

var editions = []content{
	{variantID: "full", subject: "News for {{first_name}}", preheader: "This week for {{first_name}}",
		html: "<html><head><title>x</title></head><BODY class=\"a\">\n<p>Hi {{name}} from {{attr.city}}.</p>\n.dot line {{attr.city}}\n" +
			strings.Repeat("<p>Static paragraph with = signs and ünïcode, long enough to wrap at seventy-six characters.</p>\n", 40) +
			"<a href=\"{{unsubscribe_url}}\">Unsubscribe</a>{{attr.city}}</body></html>",
		text:      "Hi {{name}}\r\n.\r\n{{attr.city}}\n\nCode: {{open}}not_a_tag}}\r" + strings.Repeat("Text line with trailing space \n", 30) + "{{attr.city}}",
		fallbacks: map[string]string{"attr.city": "your city"}},
	{variantID: "no-body-tag", subject: "Plain subject", preheader: "Static preview",
		html: "<p>{{name}}</p>", text: "{{name}}"},
	{variantID: "preheader-carried", subject: "{{attr.city}}", preheader: "Already here",
		html: "<body><p>Already here</p>{{attr.city}}</body>", text: ""},
	{variantID: "html-only", subject: "{{name}} {{attr.city}}", preheader: "{{attr.city}}",
		html: "{{attr.city}}<body>{{name}}</body>", text: ""},
	{variantID: "text-only", subject: "Only text", text: "{{attr.city}} \n{{name}}\t\n.{{name}}"},
	{variantID: "merge-only", subject: "{{name}}", html: "{{attr.city}}", text: "{{name}}"},
	{variantID: "adjacent", subject: "x", html: "\r{{attr.city}}\n{{name}}{{attr.city}}\r", text: "\r{{attr.city}}\n{{name}}{{attr.city}}\r\n"},
}

// TestPreparedMessagesDecodeLikeGoMail parses both paths' messages with a
// real MIME parser and wants the same headers, HTML and text.
func TestPreparedMessagesDecodeLikeGoMail(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	n, goMailFaults := 0, 0
	defer func() {
		t.Logf("%d messages compared; in %d the go-mail path lost a line break or a quote that the prepared path keeps", n, goMailFaults)
	}()
	for _, c := range editions {
		p := s.prepare(c)
		for i, v := range hostileValues {
			name := hostileValues[(i+3)%len(hostileValues)]
			j := &job{id: int64(1000 + n), newsletterID: "2026-W48", address: fmt.Sprintf("r%d@example.com", n), name: name,
				merge: map[string]string{"attr.city": v}, token: sql.NullString{String: fmt.Sprintf("tok%d", n), Valid: n%2 == 0}}
			if n%2 == 1 {
				j.merge[mergetag.FieldUnsubscribeURL] = "https://crm.example.com/u?t=" + fmt.Sprint(n)
			}
			n++
			got, err := s.build(p, j, nil)
			if err != nil {
				t.Fatalf("%s / value %d: %v", c.variantID, i, err)
			}
			checkWire(t, got)
			want, merged := legacyMessage(t, s, c, j)
			goMailFaults += compareDecoded(t, fmt.Sprintf("%s / value %d %q", c.variantID, i, trunc(v)), want, got, merged, oneLine(name))
		}
	}
}

func trunc(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// checkWire checks what SMTP needs of a message sent without dot-stuffing:
// CRLF line ends only, no line over 998 bytes, none starting with a dot.
func checkWire(t *testing.T, msg []byte) {
	t.Helper()
	if !bytes.HasSuffix(msg, []byte("\r\n")) {
		t.Errorf("message does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(msg, []byte("\r\n")), []byte("\r\n")) {
		switch {
		case bytes.ContainsAny(line, "\r\n"):
			t.Fatalf("line %d has a bare CR or LF: %q", i, line)
		case len(line) > 998:
			t.Fatalf("line %d is %d bytes long", i, len(line))
		case bytes.HasPrefix(line, []byte(".")):
			t.Fatalf("line %d starts with a dot: %q", i, line)
		}
	}
}

// compareDecoded wants got to decode to the merged bodies and to the
// same headers as want (go-mail's). Where go-mail's message itself does
// not decode to the merged bodies or the recipient's name, the prepared
// one must still; those cases are counted.
func compareDecoded(t *testing.T, what string, want, got []byte, merged mergedBodies, name string) (goMailFaults int) {
	t.Helper()
	we, err := enmime.ReadEnvelope(bytes.NewReader(want))
	if err != nil {
		t.Fatalf("%s: parse go-mail message: %v", what, err)
	}
	ge, err := enmime.ReadEnvelope(bytes.NewReader(got))
	if err != nil {
		t.Fatalf("%s: parse prepared message: %v", what, err)
	}
	if errs := ge.GatherNestedErrors(); errs != nil {
		t.Errorf("%s: prepared message has MIME errors: %v", what, errs)
	}
	for _, part := range []struct{ name, got, want, intended string }{
		{"HTML", ge.HTML, we.HTML, crlf(merged.html)},
		{"text", ge.Text, we.Text, crlf(merged.text)},
	} {
		switch {
		case part.got == part.want:
		case part.got == part.intended:
			goMailFaults = 1
		default:
			t.Errorf("%s: %s differs\n got %q\nwant %q", what, part.name, part.got, part.want)
		}
	}
	if ge.Root.ContentType != we.Root.ContentType {
		t.Errorf("%s: content type %q, want %q", what, ge.Root.ContentType, we.Root.ContentType)
	}
	for _, h := range we.GetHeaderKeys() {
		switch h {
		case "Date", "Content-Type":
			continue
		case "From", "To":
			wa, _ := we.AddressList(h)
			ga, err := ge.AddressList(h)
			switch {
			case err == nil && fmt.Sprint(ga) == fmt.Sprint(wa):
			case err == nil && h == "To" && len(ga) == 1 && len(wa) == 1 && ga[0].Address == wa[0].Address && ga[0].Name == name:
				goMailFaults = 1
			default:
				t.Errorf("%s: %s %v (%v), want %v", what, h, ga, err, wa)
			}
			continue
		}
		if g, w := ge.GetHeaderValues(h), we.GetHeaderValues(h); fmt.Sprintf("%q", g) != fmt.Sprintf("%q", w) {
			t.Errorf("%s: header %s = %q, want %q", what, h, g, w)
		}
	}
	if _, err := mail.ParseDate(ge.GetHeader("Date")); err != nil {
		t.Errorf("%s: Date: %v", what, err)
	}
	for h, want := range map[string]string{"Precedence": "bulk", "List-Id": "Halcytone <newsletter.example.com>"} {
		if g := ge.GetHeader(h); g != want {
			t.Errorf("%s: %s = %q, want %q", what, h, g, want)
		}
	}
	if !strings.HasPrefix(ge.GetHeader("Feedback-ID"), "2026-W48:") {
		t.Errorf("%s: Feedback-ID %q", what, ge.GetHeader("Feedback-ID"))
	}
	return goMailFaults
}

// TestHeaderMergeValuesRefuseLineBreaks: an unsubscribe URL given as a
// merge value must not smuggle header lines into the message.
func TestHeaderMergeValuesRefuseLineBreaks(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	p := s.prepare(content{subject: "s", text: "t {{unsubscribe_url}}"})
	for _, bad := range []string{"https://x.example/u\r\nBcc: evil@example.com", "https://x.example/u\nX: y", "https://x.example/u\r"} {
		j := &job{id: 1, newsletterID: "n", address: "a@example.com", merge: map[string]string{mergetag.FieldUnsubscribeURL: bad}}
		_, err := s.build(p, j, nil)
		if err == nil || !permanent(err) || !strings.Contains(err.Error(), "control character") {
			t.Errorf("unsubscribe_url %q: error %v, want a permanent refusal naming the control character", bad, err)
		}
	}
}

func BenchmarkBuildMessage(b *testing.B) {
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), nil)
	p := s.prepare(editions[0])
	j := &job{id: 1, newsletterID: "2026-W48", address: "reader@example.com", name: "Zoë Reader",
		merge: map[string]string{"attr.city": "Oslo"}, token: sql.NullString{String: "tok", Valid: true}}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = s.build(p, j, buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
