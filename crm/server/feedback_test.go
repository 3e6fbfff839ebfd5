package server

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	"github.com/halcytone/contentgen/internal/mailpittest"
)

// mailpitMessage is what the feedback tests read of a message at Mailpit.
type mailpitMessage struct {
	MessageID  string `json:"MessageID"`
	ReturnPath string `json:"ReturnPath"`
	To         []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// sentMail reads, per recipient, the Return-Path and Message-ID Mailpit
// received, waiting for want messages.
func sentMail(t *testing.T, mp *mailpittest.Server, want int) map[string]mailpitMessage {
	t.Helper()
	var list mailpittest.List
	for deadline := time.Now().Add(30 * time.Second); list.Total < want && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		list = mp.Messages(t, 100)
	}
	if list.Total != want {
		t.Fatalf("mailpit holds %d messages, want %d", list.Total, want)
	}
	out := map[string]mailpitMessage{}
	for _, m := range list.Messages {
		var full mailpitMessage
		mailpittest.GetJSON(t, mp.API+"/api/v1/message/"+m.ID, &full)
		out[full.To[0].Address] = full
	}
	return out
}

// dsnMail is a delivery status notification as an MTA writes it, quoting
// the original message's headers.
func dsnMail(rcpt, action, status, diag, messageID string) string {
	return "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n" +
		"To: bounces@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
		"Message-ID: <dsn-" + fmt.Sprint(time.Now().UnixNano()) + "@mx.example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx.example.net\r\nArrival-Date: Mon, 30 Nov 2026 08:00:00 +0000\r\n\r\n" +
		"Final-Recipient: rfc822; " + rcpt + "\r\nAction: " + action + "\r\nStatus: " + status + "\r\n" +
		"Diagnostic-Code: smtp; " + diag + "\r\n\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
		"From: Halcytone <news@example.com>\r\nTo: " + rcpt + "\r\nSubject: News\r\nMessage-ID: <" + messageID + ">\r\n" +
		"--B--\r\n"
}

// arfMail is a feedback-loop report (RFC 5965) with the recipient
// redacted, as mailbox providers send them to the address registered
// with them: the original envelope sender (Original-Mail-From, or the
// quoted message's Return-Path) tells whose complaint it is.
func arfMail(mailFrom, returnPath, messageID string) string {
	return "From: fbl@isp.example.net\r\nTo: bounces@example.com\r\nSubject: FW: News\r\n" +
		"Message-ID: <arf-" + fmt.Sprint(time.Now().UnixNano()) + "@isp.example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=feedback-report; boundary=\"F\"\r\n\r\n" +
		"--F\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n" +
		"--F\r\nContent-Type: message/feedback-report\r\n\r\n" +
		"Feedback-Type: abuse\r\nUser-Agent: ExampleFBL/1.0\r\nVersion: 1\r\n" + header("Original-Mail-From", mailFrom) + "\r\n" +
		"--F\r\nContent-Type: message/rfc822\r\n\r\n" + header("Return-Path", returnPath) +
		"From: Halcytone <news@example.com>\r\nTo: [redacted]@isp.example.net\r\nSubject: News\r\n" +
		"Message-ID: <" + messageID + ">\r\n\r\nbody\r\n" +
		"--F--\r\n"
}

func header(name, v string) string {
	if v == "" {
		return ""
	}
	return name + ": <" + v + ">\r\n"
}

// startBounces runs s's bounce listener on a free loopback port.
func startBounces(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeBounces(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("bounce listener: %v", err)
		}
	})
	return ln.Addr().String()
}

func TestBouncesAndComplaints(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			mp := mailpittest.Start(t)
			mailer, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = mailer.Close() })
			s := newTestServer(t, b.open(t), func(c *Config) {
				c.Mailer, c.Delivery.Mode, c.SoftBounceLimit = mailer, ModeSMTP, 2
			})
			ts := httptest.NewServer(s.Handler())
			t.Cleanup(ts.Close)
			client := crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: testKey})
			bounceAddr := startBounces(t, s)
			importCSV(t, s, "email,name,segments\nhard@example.com,Hard,beta\nsoft@example.com,Soft,beta\nfbl@example.com,Fbl,beta\nok@example.com,Ok,beta\n")

			sendToSegment(t, client, "2026-W50", "beta")
			flush(t, s)
			sent := sentMail(t, mp, 4)
			for addr, m := range sent {
				if _, _, ok := parseReturnPath(m.ReturnPath); !ok {
					t.Fatalf("%s: Return-Path %q is not a VERP address", addr, m.ReturnPath)
				}
			}
			deliver := func(rcpt, msg string) error {
				return smtp.SendMail(bounceAddr, nil, "", []string{rcpt}, []byte(msg))
			}
			hardDSN := dsnMail("hard@example.com", "failed", "5.1.1", "550 5.1.1 no such user", sent["hard@example.com"].MessageID)
			for _, m := range []struct{ rcpt, msg string }{
				{sent["hard@example.com"].ReturnPath, hardDSN},
				{sent["hard@example.com"].ReturnPath, hardDSN}, // redelivered: counted once
				// The VERP token names the delivery even when the DSN
				// quotes nothing usable.
				{sent["soft@example.com"].ReturnPath, dsnMail("soft@example.com", "failed", "4.2.2", "452 4.2.2 mailbox full", "")},
				{sent["ok@example.com"].ReturnPath, dsnMail("ok@example.com", "delayed", "4.4.1", "connection timed out", sent["ok@example.com"].MessageID)},
				{"bounces@example.com", arfMail(sent["fbl@example.com"].ReturnPath, "", sent["fbl@example.com"].MessageID)},
				// Forgeries name a delivery without its signed token: a
				// report quoting only a Message-ID, a DSN to bounces@
				// naming an address, a token with a wrong signature.
				{"bounces@example.com", arfMail("", "", sent["ok@example.com"].MessageID)},
				{"bounces@example.com", dsnMail("ok@example.com", "failed", "5.1.1", "forged", sent["ok@example.com"].MessageID)},
				{forgedToken(sent["ok@example.com"].ReturnPath), dsnMail("ok@example.com", "failed", "5.1.1", "forged", "")},
				{sent["ok@example.com"].ReturnPath, "Subject: Out of office\r\n\r\nBack on Monday.\r\n"},
			} {
				if err := deliver(m.rcpt, m.msg); err != nil {
					t.Fatalf("deliver report to %s: %v", m.rcpt, err)
				}
			}
			if err := deliver("postmaster@example.com", arfMail("", "", "x")); err == nil || !strings.Contains(err.Error(), "550") {
				t.Errorf("mail to another address: %v, want 550", err)
			}

			page, err := client.Deliveries(context.Background(), "2026-W50", "", "", 100)
			if err != nil {
				t.Fatal(err)
			}
			status := map[string]string{}
			for _, d := range page.Deliveries {
				status[d.Address] = d.Status
			}
			wantStatus := map[string]string{"hard@example.com": crm.DeliveryBounced, "soft@example.com": crm.DeliveryBounced,
				"fbl@example.com": crm.DeliveryComplained, "ok@example.com": crm.DeliverySent}
			if fmt.Sprint(status) != fmt.Sprint(wantStatus) {
				t.Errorf("statuses %v, want %v", status, wantStatus)
			}
			wantFeedback := map[string]int{crm.FeedbackHardBounce: 1, crm.FeedbackSoftBounce: 1, crm.FeedbackComplaint: 1}
			if fmt.Sprint(page.Feedback) != fmt.Sprint(wantFeedback) || page.Counts[crm.DeliveryBounced] != 2 || page.Counts[crm.DeliveryComplained] != 1 {
				t.Errorf("counts %v, feedback %v; want 2 bounced, 1 complained, feedback %v", page.Counts, page.Feedback, wantFeedback)
			}

			// The next edition's recipients leave out the suppressed
			// addresses, and a request naming them is refused for them.
			rp, err := client.Recipients(context.Background(), []string{"beta"}, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			var emails []string
			for _, r := range rp.Recipients {
				emails = append(emails, r.Email)
			}
			if want := []string{"soft@example.com", "ok@example.com"}; !slices.Equal(emails, want) || rp.Total != 2 {
				t.Errorf("recipients %v (total %d), want %v", emails, rp.Total, want)
			}
			req := crm.NewsletterRequest{NewsletterID: "2026-W51", Variants: []crm.Variant{mergeVariant}}
			for _, a := range []string{"hard@example.com", "fbl@example.com", "soft@example.com"} {
				req.Messages = append(req.Messages, crm.Message{To: a, Variant: mergeVariant.ID})
			}
			resp, err := client.SendNewsletter(context.Background(), "2026-W51/1", req)
			if err != nil || resp.Accepted != 1 || len(resp.Rejected) != 2 || resp.Rejected[0].Reason != ReasonSuppressed {
				t.Fatalf("send to suppressed addresses: %+v, %v", resp, err)
			}
			flush(t, s)
			sent = sentMail(t, mp, 5)
			// A second soft bounce reaches the limit of 2.
			if err := deliver(sent["soft@example.com"].ReturnPath, dsnMail("soft@example.com", "failed", "4.2.2", "mailbox full", "")); err != nil {
				t.Fatal(err)
			}
			if rp, err = client.Recipients(context.Background(), []string{"beta"}, "", 100); err != nil || len(rp.Recipients) != 1 || rp.Recipients[0].Email != "ok@example.com" {
				t.Errorf("recipients after two soft bounces: %+v, %v", rp.Recipients, err)
			}
			var reasons []string
			rows, err := s.db.Query(`SELECT address || ' ' || reason FROM suppressions ORDER BY address`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var r string
				_ = rows.Scan(&r)
				reasons = append(reasons, r)
			}
			rows.Close()
			want := []string{"fbl@example.com complaint", "hard@example.com hard_bounce", "soft@example.com soft_bounces"}
			if !slices.Equal(reasons, want) {
				t.Errorf("suppressions %v, want %v", reasons, want)
			}
		})
	}
}

// A delivery queued before its address was suppressed is not sent.
func TestSuppressedBeforeDispatch(t *testing.T) {
	k, port := startSink(t)
	s, client, _ := smtpServer(t, port, nil)
	importCSV(t, s, "email,name,segments\nx@example.com,X,beta\ny@example.com,Y,beta\n")
	sendToSegment(t, client, "2026-W52", "beta")
	res, err := s.recordFeedback(context.Background(), []feedback{{kind: crm.FeedbackComplaint, source: sourceSendGrid, eventID: "e1", address: "X@example.com"}})
	if err != nil || res.Recorded != 1 || res.Suppressed != 1 || res.Unmatched != 1 {
		t.Fatalf("record: %+v, %v", res, err)
	}
	flush(t, s)
	if got := k.messages(); len(got) != 1 || got[0].to[0] != "y@example.com" {
		t.Fatalf("sent %d messages, want only y@", len(got))
	}
	page, err := client.Deliveries(context.Background(), "2026-W52", crm.DeliveryFailed, "", 10)
	if err != nil || len(page.Deliveries) != 1 || !strings.Contains(page.Deliveries[0].Error, "suppressed") {
		t.Errorf("failed deliveries %+v, %v", page.Deliveries, err)
	}
}

// forgedToken changes the last digit of a return path's signature.
func forgedToken(rp string) string {
	at := strings.IndexByte(rp, '@')
	d := byte('0')
	if rp[at-1] == '0' {
		d = '1'
	}
	return rp[:at-1] + string(d) + rp[at:]
}

func TestParseReturnPathAndMessageID(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	j := &job{id: 42, newsletterID: "2026-W48"}
	id, sig, ok := parseReturnPath(s.returnPath(j))
	if !ok || id != 42 || sig != s.verpSig(42, "2026-W48") || sig == s.verpSig(42, "2026-W49") || sig == s.verpSig(43, "2026-W48") {
		t.Errorf("return path %q parsed as %d %q %v", s.returnPath(j), id, sig, ok)
	}
	// Another CRM on the same database signs alike.
	if other := newTestServer(t, s.db, nil); other.returnPath(j) != s.returnPath(j) {
		t.Errorf("return paths differ between CRMs sharing a database: %s, %s", other.returnPath(j), s.returnPath(j))
	}
	id, tag, ok := parseMessageID("<" + s.messageID(j) + ">")
	if !ok || id != 42 || tag != newsletterTag("2026-W48") {
		t.Errorf("message ID %q parsed as %d %q %v", s.messageID(j), id, tag, ok)
	}
	for _, bad := range []string{"news@example.com", "bounces@example.com", "bounces+x-abc@example.com", "bounces+12-short@example.com", "bounces+-1-0123456789abcdef@x"} {
		if _, _, ok := parseReturnPath(bad); ok {
			t.Errorf("parseReturnPath(%q) accepted", bad)
		}
	}
}

// A feedback report without Original-Mail-From still names its delivery
// through the Return-Path the receiving side put on the quoted message.
func TestARFReturnPathOfQuotedMessage(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	j := &job{id: 9, newsletterID: "2026-W48"}
	evs, err := parseReport([]byte(arfMail("", s.returnPath(j), s.messageID(j))), []string{"bounces@example.com"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("parse: %v, %v", evs, err)
	}
	ev := evs[0]
	if ev.kind != crm.FeedbackComplaint || ev.deliveryID != 9 || ev.token != s.verpSig(9, "2026-W48") || !ev.untrusted {
		t.Errorf("event %+v", ev)
	}
	if _, err := parseReport([]byte("Subject: hello\r\n\r\nnot a report\r\n"), nil); err == nil {
		t.Error("plain mail parsed as a report")
	}
}
