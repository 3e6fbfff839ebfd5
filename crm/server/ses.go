package server

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// snsMessage is an Amazon SNS HTTP(S) delivery.
type snsMessage struct {
	Type             string `json:"Type"`
	MessageID        string `json:"MessageId"`
	Token            string `json:"Token"`
	TopicArn         string `json:"TopicArn"`
	Subject          string `json:"Subject"`
	Message          string `json:"Message"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
	SubscribeURL     string `json:"SubscribeURL"`
}

// stringToSign is what SNS signs for m's type.
func (m *snsMessage) stringToSign() (string, error) {
	var b strings.Builder
	add := func(k, v string) { b.WriteString(k + "\n" + v + "\n") }
	switch m.Type {
	case "Notification":
		add("Message", m.Message)
		add("MessageId", m.MessageID)
		if m.Subject != "" {
			add("Subject", m.Subject)
		}
		add("Timestamp", m.Timestamp)
		add("TopicArn", m.TopicArn)
		add("Type", m.Type)
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		add("Message", m.Message)
		add("MessageId", m.MessageID)
		add("SubscribeURL", m.SubscribeURL)
		add("Timestamp", m.Timestamp)
		add("Token", m.Token)
		add("TopicArn", m.TopicArn)
		add("Type", m.Type)
	default:
		return "", fmt.Errorf("SNS message type %q is not Notification, SubscriptionConfirmation or UnsubscribeConfirmation", m.Type)
	}
	return b.String(), nil
}

// defaultSNSHost matches the hosts SNS serves signing certificates and
// subscription URLs from.
var defaultSNSHost = regexp.MustCompile(`^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// snsVerifier checks SNS signatures with certificates fetched from trusted
// hosts only, cached by URL.
type snsVerifier struct {
	hc      *http.Client
	trusted func(host string) bool
	mu      sync.Mutex
	certs   map[string]*x509.Certificate
}

func newSNSVerifier(hc *http.Client, trusted func(string) bool) *snsVerifier {
	if trusted == nil {
		trusted = defaultSNSHost.MatchString
	}
	return &snsVerifier{hc: hc, trusted: trusted, certs: map[string]*x509.Certificate{}}
}

// trustedURL reports whether raw is an https URL on a trusted SNS host.
func (v *snsVerifier) trustedURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "https" && v.trusted(u.Hostname())
}

func (v *snsVerifier) verify(ctx context.Context, m *snsMessage) error {
	if !v.trustedURL(m.SigningCertURL) {
		return fmt.Errorf("SigningCertURL %q is not an https URL of SNS", m.SigningCertURL)
	}
	var hash crypto.Hash
	switch m.SignatureVersion {
	case "1":
		hash = crypto.SHA1
	case "2":
		hash = crypto.SHA256
	default:
		return fmt.Errorf("SignatureVersion %q: want 1 or 2", m.SignatureVersion)
	}
	text, err := m.stringToSign()
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("signature is not base64: %w", err)
	}
	cert, err := v.cert(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("signing certificate holds a %T key, not RSA", cert.PublicKey)
	}
	var digest []byte
	if hash == crypto.SHA1 {
		d := sha1.Sum([]byte(text))
		digest = d[:]
	} else {
		d := sha256.Sum256([]byte(text))
		digest = d[:]
	}
	if err := rsa.VerifyPKCS1v15(pub, hash, digest, sig); err != nil {
		return fmt.Errorf("signature does not verify: %w", err)
	}
	return nil
}

func (v *snsVerifier) cert(ctx context.Context, certURL string) (*x509.Certificate, error) {
	v.mu.Lock()
	c, ok := v.certs[certURL]
	v.mu.Unlock()
	if ok {
		return c, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, certURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch SNS signing certificate: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch SNS signing certificate: %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("fetch SNS signing certificate: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("SNS signing certificate: no PEM block")
	}
	if c, err = x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("SNS signing certificate: %w", err)
	}
	v.mu.Lock()
	if len(v.certs) > 64 {
		clear(v.certs)
	}
	v.certs[certURL] = c
	v.mu.Unlock()
	return c, nil
}

// sesNotification is an Amazon SES bounce or complaint notification, or
// the same event published through a configuration set (eventType).
type sesNotification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Mail             struct {
		MessageID     string `json:"messageId"`
		Headers       []struct{ Name, Value string }
		CommonHeaders struct {
			MessageID string `json:"messageId"`
		} `json:"commonHeaders"`
	} `json:"mail"`
	Bounce struct {
		BounceType        string `json:"bounceType"` // Permanent, Transient, Undetermined
		BounceSubType     string `json:"bounceSubType"`
		FeedbackID        string `json:"feedbackId"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		FeedbackID            string `json:"feedbackId"`
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

func (s *Server) handleSES(w http.ResponseWriter, r *http.Request) {
	if len(s.hooks.sesTopics) == 0 {
		notConfigured(w, "Amazon SES", "set CRM_SES_TOPIC_ARNS to the ARNs of the SNS topics SES publishes bounces and complaints to")
		return
	}
	var m snsMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWebhookBytes)).Decode(&m); err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_json", "", "want an Amazon SNS message: %v", err)
		return
	}
	if !s.hooks.sesTopics[m.TopicArn] {
		httpapi.WriteError(w, http.StatusForbidden, "unknown_topic", "TopicArn", "topic %q is not one of CRM_SES_TOPIC_ARNS", m.TopicArn)
		return
	}
	if err := s.hooks.sns.verify(r.Context(), &m); err != nil {
		httpapi.WriteError(w, http.StatusForbidden, "bad_signature", "Signature", "SNS message %s: %v", m.MessageID, err)
		return
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		s.confirmSNS(w, r, &m)
		return
	case "UnsubscribeConfirmation":
		s.log.Warn("SNS topic unsubscribed this CRM; bounces and complaints from it stop", "topic", m.TopicArn)
		httpapi.WriteJSON(w, http.StatusOK, feedbackResult{})
		return
	}
	var n sesNotification
	if err := json.Unmarshal([]byte(m.Message), &n); err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_json", "Message", "SNS message %s does not carry an SES notification: %v", m.MessageID, err)
		return
	}
	s.writeFeedback(w, r, sesEvents(&m, &n))
}

// confirmSNS follows a verified subscription's SubscribeURL, which must
// lead to SNS itself.
func (s *Server) confirmSNS(w http.ResponseWriter, r *http.Request, m *snsMessage) {
	if !s.hooks.sns.trustedURL(m.SubscribeURL) {
		httpapi.WriteError(w, http.StatusForbidden, "bad_subscribe_url", "SubscribeURL", "SubscribeURL %q is not an https URL of SNS", m.SubscribeURL)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, m.SubscribeURL, nil)
	if err == nil {
		var resp *http.Response
		if resp, err = s.hooks.sns.hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = errors.New(resp.Status)
			}
		}
	}
	if err != nil {
		s.serverError(w, r, "confirm SNS subscription", err)
		return
	}
	s.log.Info("SNS subscription confirmed", "topic", m.TopicArn)
	httpapi.WriteJSON(w, http.StatusOK, feedbackResult{})
}

func sesEvents(m *snsMessage, n *sesNotification) []feedback {
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	// SES may replace the Message-ID; the original, when it is one of
	// ours, is among the headers as sent.
	mid := n.Mail.CommonHeaders.MessageID
	var newsletter string
	for _, h := range n.Mail.Headers {
		switch {
		case strings.EqualFold(h.Name, "Message-ID"):
			if _, _, ok := parseMessageID(h.Value); ok {
				mid = h.Value
			}
		case strings.EqualFold(h.Name, HeaderNewsletterID):
			newsletter = h.Value
		}
	}
	var out []feedback
	switch kind {
	case "Bounce":
		k := crm.FeedbackSoftBounce
		switch n.Bounce.BounceType {
		case "Permanent":
			k = crm.FeedbackHardBounce
		case "Transient":
		default:
			return nil // Undetermined: SES could not tell what happened
		}
		for _, rc := range n.Bounce.BouncedRecipients {
			out = append(out, feedback{kind: k, source: sourceSES, eventID: m.MessageID + "/" + strings.ToLower(rc.EmailAddress),
				address: rc.EmailAddress, messageID: mid, newsletterID: newsletter,
				detail: strings.TrimSpace(n.Bounce.BounceType + "/" + n.Bounce.BounceSubType + " " + rc.Status + " " + rc.DiagnosticCode)})
		}
	case "Complaint":
		for _, rc := range n.Complaint.ComplainedRecipients {
			out = append(out, feedback{kind: crm.FeedbackComplaint, source: sourceSES, eventID: m.MessageID + "/" + strings.ToLower(rc.EmailAddress),
				address: rc.EmailAddress, messageID: mid, newsletterID: newsletter, detail: n.Complaint.ComplaintFeedbackType})
		}
	}
	return out
}
