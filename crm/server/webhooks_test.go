package server

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// sentNewsletter queues and logs one newsletter to addrs and returns each
// address's delivery.
func sentNewsletter(t *testing.T, s *Server, newsletter string, addrs ...string) map[string]crm.Delivery {
	t.Helper()
	req := crm.NewsletterRequest{NewsletterID: newsletter, Variants: []crm.Variant{mergeVariant}}
	for _, a := range addrs {
		req.Messages = append(req.Messages, crm.Message{To: a, Variant: mergeVariant.ID})
	}
	body, _ := json.Marshal(req)
	if rec := call(s.Handler(), http.MethodPost, crm.PathNewsletter, testKey, map[string]string{"Idempotency-Key": newsletter}, string(body)); rec.Code != http.StatusAccepted {
		t.Fatalf("send: %d %s", rec.Code, rec.Body)
	}
	flush(t, s)
	// Logged deliveries stand in for sent ones here.
	if _, err := s.db.Exec(`UPDATE deliveries SET status = $1 WHERE newsletter_id = $2`, crm.DeliverySent, newsletter); err != nil {
		t.Fatal(err)
	}
	_, rows := allDeliveries(t, s, newsletter)
	out := map[string]crm.Delivery{}
	for _, d := range rows {
		out[d.Address] = d
	}
	return out
}

func statusOf(t *testing.T, s *Server, id int64) string {
	t.Helper()
	var st string
	if err := s.db.QueryRow(`SELECT status FROM deliveries WHERE id = $1`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// snsFake signs SNS messages with its own certificate, served over TLS
// like SNS's SigningCertURL, and counts subscription confirmations.
type snsFake struct {
	key       *rsa.PrivateKey
	srv       *httptest.Server
	confirmed atomic.Int32
}

func newSNSFake(t *testing.T) *snsFake {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sns.amazonaws.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	f := &snsFake{key: key}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/SimpleNotificationService-test.pem":
			_ = pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: der})
		case "/confirm":
			f.confirmed.Add(1)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *snsFake) message(t *testing.T, typ, topic, id, message string) string {
	m := snsMessage{Type: typ, MessageID: id, TopicArn: topic, Message: message, Timestamp: "2026-11-30T08:00:00.000Z",
		SignatureVersion: "2", SigningCertURL: f.srv.URL + "/SimpleNotificationService-test.pem"}
	if typ == "SubscriptionConfirmation" {
		m.Token, m.SubscribeURL = "tok", f.srv.URL+"/confirm"
	}
	text, err := m.stringToSign()
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte(text))
	sig, err := rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	b, _ := json.Marshal(m)
	return string(b)
}

func TestSESWebhook(t *testing.T) {
	const topic = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"
	f := newSNSFake(t)
	s := newTestServer(t, openSQLite(t), func(c *Config) {
		c.Webhooks = WebhookConfig{SESTopicARNs: []string{topic}, HTTPClient: f.srv.Client(),
			SNSCertHost: func(h string) bool { return h == "127.0.0.1" }}
	})
	h := s.Handler()
	d := sentNewsletter(t, s, "2026-W48", "bo@example.com", "ann@example.com")
	post := func(body string) *httptest.ResponseRecorder {
		return call(h, http.MethodPost, crm.PathWebhookSES, "", nil, body)
	}

	if rec := post(f.message(t, "SubscriptionConfirmation", topic, "m0", "confirm")); rec.Code != http.StatusOK || f.confirmed.Load() != 1 {
		t.Fatalf("subscription confirmation: %d %s, confirmed %d", rec.Code, rec.Body, f.confirmed.Load())
	}
	// The shape SES publishes: the original Message-ID among mail.headers
	// (commonHeaders.messageId is SES's own ID).
	bounce := `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General",
		"bouncedRecipients":[{"emailAddress":"bo@example.com","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
		"timestamp":"2026-11-30T08:00:00.000Z","feedbackId":"0100-abc"},
		"mail":{"timestamp":"2026-11-30T07:59:00.000Z","source":"news@example.com","messageId":"0100-ses-id",
		"destination":["bo@example.com"],"headersTruncated":false,
		"headers":[{"name":"Message-ID","value":"<` + d["bo@example.com"].SMTPMessageID + `>"},{"name":"X-Newsletter-ID","value":"2026-W48"}],
		"commonHeaders":{"from":["news@example.com"],"to":["bo@example.com"],"messageId":"<0100-ses-id@email.amazonses.com>","subject":"News"}}}`
	complaint := `{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"ann@example.com"}],
		"timestamp":"2026-11-30T08:00:00.000Z","feedbackId":"0100-def","complaintFeedbackType":"abuse"},
		"mail":{"messageId":"0100-ses-id2","destination":["ann@example.com"],
		"headers":[{"name":"X-Newsletter-ID","value":"2026-W48"}],"commonHeaders":{"messageId":"<0100-ses-id2@email.amazonses.com>"}}}`
	if rec := post(f.message(t, "Notification", topic, "m1", bounce)); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"recorded":1`) {
		t.Fatalf("bounce: %d %s", rec.Code, rec.Body)
	}
	if rec := post(f.message(t, "Notification", topic, "m1", bounce)); !strings.Contains(rec.Body.String(), `"duplicate":1`) {
		t.Errorf("redelivered bounce: %d %s", rec.Code, rec.Body)
	}
	if rec := post(f.message(t, "Notification", topic, "m2", complaint)); rec.Code != http.StatusOK {
		t.Fatalf("complaint: %d %s", rec.Code, rec.Body)
	}
	if st := statusOf(t, s, d["bo@example.com"].ID); st != crm.DeliveryBounced {
		t.Errorf("bounced delivery is %s", st)
	}
	if st := statusOf(t, s, d["ann@example.com"].ID); st != crm.DeliveryComplained {
		t.Errorf("complained delivery is %s", st)
	}

	tampered := strings.Replace(f.message(t, "Notification", topic, "m3", bounce), "Permanent", "Transient", 1)
	other := f.message(t, "Notification", "arn:aws:sns:eu-west-1:999999999999:someone-else", "m4", bounce)
	foreign := strings.Replace(f.message(t, "Notification", topic, "m5", bounce), f.srv.URL, "https://evil.example.com", 1)
	for name, body := range map[string]string{"tampered": tampered, "other topic": other, "foreign certificate": foreign} {
		if rec := post(body); rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", name, rec.Code, rec.Body)
		}
	}
	off := newTestServer(t, openSQLite(t), nil)
	if rec := call(off.Handler(), http.MethodPost, crm.PathWebhookSES, "", nil, bounce); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "CRM_SES_TOPIC_ARNS") {
		t.Errorf("unconfigured: %d %s", rec.Code, rec.Body)
	}
}

func TestSendGridWebhook(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	s := newTestServer(t, openSQLite(t), func(c *Config) {
		c.Webhooks.SendGridPublicKey = base64.StdEncoding.EncodeToString(der)
	})
	d := sentNewsletter(t, s, "2026-W48", "bo@example.com", "ann@example.com", "cy@example.com")
	body := `[{"email":"bo@example.com","timestamp":1796025600,"smtp-id":"<` + d["bo@example.com"].SMTPMessageID + `>","event":"bounce",
		"category":["newsletter"],"sg_event_id":"ev-1","sg_message_id":"sg1.filter","reason":"550 5.1.1 unknown user","status":"5.1.1","type":"bounce"},
		{"email":"ann@example.com","timestamp":1796025601,"smtp-id":"<` + d["ann@example.com"].SMTPMessageID + `>","event":"spamreport","sg_event_id":"ev-2","sg_message_id":"sg2.filter"},
		{"email":"cy@example.com","timestamp":1796025602,"event":"delivered","sg_event_id":"ev-3","sg_message_id":"sg3.filter","response":"250 OK"},
		{"email":"cy@example.com","timestamp":1796025603,"event":"bounce","type":"blocked","status":"4.7.1","reason":"try later","sg_event_id":"ev-4","sg_message_id":"sg3.filter"}]`
	sign := func(ts, body string) map[string]string {
		h := sha256.Sum256([]byte(ts + body))
		sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{headerSendGridSignature: base64.StdEncoding.EncodeToString(sig), headerSendGridTimestamp: ts}
	}
	h := s.Handler()
	rec := call(h, http.MethodPost, crm.PathWebhookSendGrid, "", sign("1796025700", body), body)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"recorded":3`) {
		t.Fatalf("events: %d %s", rec.Code, rec.Body)
	}
	want := map[string]string{"bo@example.com": crm.DeliveryBounced, "ann@example.com": crm.DeliveryComplained, "cy@example.com": crm.DeliveryBounced}
	for addr, st := range want {
		if got := statusOf(t, s, d[addr].ID); got != st {
			t.Errorf("%s: %s, want %s", addr, got, st)
		}
	}
	page, err := s.deliveries(context.Background(), "2026-W48", "", 0, 10)
	if err != nil || page.Feedback[crm.FeedbackSoftBounce] != 1 || page.Feedback[crm.FeedbackHardBounce] != 1 || page.Feedback[crm.FeedbackComplaint] != 1 {
		t.Errorf("feedback counts %v, %v", page.Feedback, err)
	}
	hdr := sign("1796025700", body)
	hdr[headerSendGridTimestamp] = "1796025701"
	if rec := call(h, http.MethodPost, crm.PathWebhookSendGrid, "", hdr, body); rec.Code != http.StatusForbidden {
		t.Errorf("another timestamp: %d, want 403", rec.Code)
	}
	if rec := call(h, http.MethodPost, crm.PathWebhookSendGrid, "", sign("1", body), body+" "); rec.Code != http.StatusForbidden {
		t.Errorf("changed body: %d, want 403", rec.Code)
	}
	if _, err := New(Config{DB: openSQLite(t), Webhooks: WebhookConfig{SendGridPublicKey: "bm90IGEga2V5"}}); err == nil || !strings.Contains(err.Error(), "sendgrid webhook key") {
		t.Errorf("bad key: %v", err)
	}
}

func TestPostmarkWebhook(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testPostmarkWebhook(t, b) })
	}
}

// Postmark echoes none of our headers: its events go to the address's
// latest delivery.
func testPostmarkWebhook(t *testing.T, b backend) {
	s := newTestServer(t, b.open(t), func(c *Config) {
		c.Webhooks.PostmarkUser, c.Webhooks.PostmarkPassword = "pm", "s3cret"
	})
	sentNewsletter(t, s, "2026-W47", "bo@example.com", "ann@example.com")
	d := sentNewsletter(t, s, "2026-W48", "bo@example.com", "ann@example.com")
	h := s.Handler()
	auth := func(user, pass string) map[string]string {
		return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}
	}
	bounce := `{"RecordType":"Bounce","MessageStream":"broadcast","ID":4323372036854775807,"Type":"HardBounce","TypeCode":1,
		"Name":"Hard bounce","Tag":"","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","ServerID":23,"Description":"The server was unable to deliver your message",
		"Details":"smtp;550 5.1.1 The email account does not exist","Email":"Bo@example.com","From":"news@example.com",
		"BouncedAt":"2026-11-30T08:00:00Z","DumpAvailable":true,"Inactive":true,"CanActivate":true,"Subject":"News"}`
	spam := `{"RecordType":"SpamComplaint","MessageStream":"broadcast","ID":42,"Type":"SpamComplaint","TypeCode":512,
		"MessageID":"00000000-0000-0000-0000-000000000000","Email":"ann@example.com","From":"news@example.com","BouncedAt":"2026-11-30T08:00:00Z","Subject":"News"}`
	if rec := call(h, http.MethodPost, crm.PathWebhookPostmark, "", auth("pm", "wrong"), bounce); rec.Code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", rec.Code)
	}
	for _, body := range []string{bounce, spam} {
		if rec := call(h, http.MethodPost, crm.PathWebhookPostmark, "", auth("pm", "s3cret"), body); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"recorded":1`) {
			t.Fatalf("webhook: %d %s", rec.Code, rec.Body)
		}
	}
	if got := statusOf(t, s, d["bo@example.com"].ID); got != crm.DeliveryBounced {
		t.Errorf("bo: %s", got)
	}
	if got := statusOf(t, s, d["ann@example.com"].ID); got != crm.DeliveryComplained {
		t.Errorf("ann: %s", got)
	}
}
