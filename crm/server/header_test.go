package server

import (
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

// TestHeaderMergeValueWithLineBreak sends, over SMTP, a message whose
// unsubscribe_url (written into the List-Unsubscribe header) carries a
// line break: that message is refused, the other is delivered, and no
// delivered message carries an injected header.
func TestHeaderMergeValueWithLineBreak(t *testing.T) {
	k, port := startSink(t)
	s, client, _ := smtpServer(t, port, nil)
	v := crm.Variant{ID: "v", Subject: "News", HTML: `<p>Hi</p><a href="{{unsubscribe_url}}">Unsubscribe</a>`, Text: "Hi {{unsubscribe_url}}"}
	req := crm.NewsletterRequest{NewsletterID: "2026-W49", Variants: []crm.Variant{v}}
	for _, m := range []struct{ to, unsub string }{
		{"cr@example.com", "https://u.example/x\rBcc: victim@example.com"},
		{"lf@example.com", "https://u.example/x\nX-Injected: yes"},
		{"crlf@example.com", "https://u.example/x\r\nBcc: victim@example.com"},
		{"ok@example.com", "https://u.example/ok"},
	} {
		req.Messages = append(req.Messages, crm.Message{To: m.to, Variant: v.ID, Merge: map[string]string{"unsubscribe_url": m.unsub}})
	}
	resp, err := client.SendNewsletter(context.Background(), "2026-W49/1", req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Accepted != 1 || len(resp.Rejected) != 3 {
		t.Fatalf("accepted %d, rejected %+v; want 1 accepted and the three with line breaks rejected", resp.Accepted, resp.Rejected)
	}
	for _, r := range resp.Rejected {
		if !strings.Contains(r.Reason, "unsubscribe_url") || !strings.Contains(r.Reason, "line break") {
			t.Errorf("rejection of %s says %q; want it to name unsubscribe_url and the line break", r.To, r.Reason)
		}
	}
	flush(t, s)
	msgs := k.messages()
	if len(msgs) != 1 || msgs[0].to[0] != "ok@example.com" {
		t.Fatalf("delivered %d messages, want one to ok@example.com", len(msgs))
	}
	for _, m := range msgs {
		p := parseMail(t, m.data)
		if p.header.Get("Bcc") != "" || p.header.Get("X-Injected") != "" {
			t.Errorf("message to %v carries an injected header:\n%s", m.to, m.data)
		}
		if got := p.header.Get("List-Unsubscribe"); got != "<https://u.example/ok>" {
			t.Errorf("List-Unsubscribe %q", got)
		}
	}
}
