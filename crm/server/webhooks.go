package server

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// WebhookConfig turns on the provider feedback endpoints. Each stays off
// (404) until its proof of origin is configured.
type WebhookConfig struct {
	// SESTopicARNs are the Amazon SNS topics whose notifications
	// PathWebhookSES accepts; any other topic is refused, even when
	// properly signed by SNS.
	SESTopicARNs []string
	// SNSCertHost reports whether an SNS SigningCertURL's host is
	// trusted (default: sns.<region>.amazonaws.com over https).
	SNSCertHost func(host string) bool
	// SendGridPublicKey is the Signed Event Webhook verification key as
	// SendGrid shows it: base64 of a DER (PKIX) ECDSA P-256 public key.
	SendGridPublicKey string
	// PostmarkUser and PostmarkPassword are the basic-auth credentials
	// in the webhook URL configured at Postmark.
	PostmarkUser, PostmarkPassword string
	// HTTPClient fetches SNS signing certificates and confirms SNS
	// subscriptions (default: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// maxWebhookBytes bounds a webhook body.
const maxWebhookBytes = 4 << 20

// webhooks holds what the handlers need, checked once in New.
type webhooks struct {
	sesTopics map[string]bool
	sns       *snsVerifier
	sendgrid  *ecdsa.PublicKey
	pmUser    string
	pmPass    string
}

func newWebhooks(c WebhookConfig) (*webhooks, error) {
	w := &webhooks{sesTopics: map[string]bool{}, pmUser: c.PostmarkUser, pmPass: c.PostmarkPassword}
	for _, arn := range c.SESTopicARNs {
		if arn = strings.TrimSpace(arn); arn != "" {
			w.sesTopics[arn] = true
		}
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	w.sns = newSNSVerifier(hc, c.SNSCertHost)
	if k := strings.TrimSpace(c.SendGridPublicKey); k != "" {
		der, err := base64.StdEncoding.DecodeString(k)
		if err != nil {
			return nil, fmt.Errorf("sendgrid webhook key: not base64: %w (paste the verification key SendGrid shows)", err)
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("sendgrid webhook key: %w (paste the verification key SendGrid shows)", err)
		}
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("sendgrid webhook key: a %T key; SendGrid signs with ECDSA", pub)
		}
		w.sendgrid = ec
	}
	if (w.pmUser == "") != (w.pmPass == "") {
		return nil, fmt.Errorf("postmark webhook: set both the user and the password of its basic auth, or neither")
	}
	return w, nil
}

func notConfigured(w http.ResponseWriter, what, how string) {
	httpapi.WriteError(w, http.StatusNotFound, "not_configured", "", "the %s webhook is not configured on this CRM; %s", what, how)
}

func (s *Server) writeFeedback(w http.ResponseWriter, r *http.Request, events []feedback) {
	res, err := s.recordFeedback(r.Context(), events)
	if err != nil {
		s.serverError(w, r, "record feedback", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// SendGrid Event Webhook: a JSON array of events.
type sendgridEvent struct {
	Email     string `json:"email"`
	Timestamp int64  `json:"timestamp"`
	Event     string `json:"event"`
	Type      string `json:"type"` // for "bounce": "bounce" or "blocked"
	EventID   string `json:"sg_event_id"`
	MessageID string `json:"sg_message_id"`
	SMTPID    string `json:"smtp-id"`
	Reason    string `json:"reason"`
	Status    string `json:"status"`
}

// Headers of SendGrid's Signed Event Webhook.
const (
	headerSendGridSignature = "X-Twilio-Email-Event-Webhook-Signature"
	headerSendGridTimestamp = "X-Twilio-Email-Event-Webhook-Timestamp"
)

func (s *Server) handleSendGrid(w http.ResponseWriter, r *http.Request) {
	if s.hooks.sendgrid == nil {
		notConfigured(w, "SendGrid", "set CRM_SENDGRID_WEBHOOK_KEY to the Signed Event Webhook verification key")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBytes))
	if err != nil {
		httpapi.WriteError(w, http.StatusRequestEntityTooLarge, "too_large", "", "body: %v", err)
		return
	}
	sig, err := base64.StdEncoding.DecodeString(r.Header.Get(headerSendGridSignature))
	ts := r.Header.Get(headerSendGridTimestamp)
	h := sha256.Sum256(append([]byte(ts), body...))
	if err != nil || ts == "" || !ecdsa.VerifyASN1(s.hooks.sendgrid, h[:], sig) {
		httpapi.WriteError(w, http.StatusForbidden, "bad_signature", headerSendGridSignature,
			"the signature does not verify with the configured key over %s and the body", headerSendGridTimestamp)
		return
	}
	var batch []sendgridEvent
	if err := json.Unmarshal(body, &batch); err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_json", "", "want a JSON array of SendGrid events: %v", err)
		return
	}
	var events []feedback
	for _, e := range batch {
		kind := ""
		switch e.Event {
		case "bounce":
			kind = crm.FeedbackHardBounce
			if e.Type == "blocked" || strings.HasPrefix(e.Status, "4") {
				kind = crm.FeedbackSoftBounce
			}
		case "spamreport":
			kind = crm.FeedbackComplaint
		case "dropped":
			// SendGrid did not send: an address it knows to be invalid
			// or bouncing counts as a hard bounce.
			if l := strings.ToLower(e.Reason); strings.Contains(l, "bounced address") || strings.Contains(l, "invalid") {
				kind = crm.FeedbackHardBounce
			}
		}
		if kind == "" {
			continue
		}
		id := e.EventID
		if id == "" {
			id = e.MessageID + "/" + e.Event + "/" + strconv.FormatInt(e.Timestamp, 10)
		}
		events = append(events, feedback{kind: kind, source: sourceSendGrid, eventID: id, address: e.Email,
			messageID: e.SMTPID, detail: strings.TrimSpace(e.Status + " " + e.Reason)})
	}
	s.writeFeedback(w, r, events)
}

// Postmark bounce and spam complaint webhooks: one JSON object each.
type postmarkEvent struct {
	RecordType  string `json:"RecordType"`
	ID          int64  `json:"ID"`
	Type        string `json:"Type"`
	TypeCode    int    `json:"TypeCode"`
	MessageID   string `json:"MessageID"`
	Email       string `json:"Email"`
	Description string `json:"Description"`
	Details     string `json:"Details"`
}

func (s *Server) handlePostmark(w http.ResponseWriter, r *http.Request) {
	if s.hooks.pmUser == "" {
		notConfigured(w, "Postmark", "set CRM_POSTMARK_WEBHOOK_USER and CRM_POSTMARK_WEBHOOK_PASSWORD and put them in the webhook URL")
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(s.hooks.pmUser)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.hooks.pmPass)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="postmark webhook"`)
		httpapi.WriteError(w, http.StatusUnauthorized, "unauthorized", "", "basic auth credentials do not match the configured Postmark webhook user and password")
		return
	}
	var e postmarkEvent
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxWebhookBytes)).Decode(&e); err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_json", "", "want a Postmark bounce or spam complaint webhook body: %v", err)
		return
	}
	if e.ID == 0 || e.Email == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_event", "ID", "a Postmark webhook body carries its event ID and Email")
		return
	}
	kind := ""
	switch {
	case e.RecordType == "SpamComplaint" || e.Type == "SpamComplaint" || e.Type == "SpamNotification":
		kind = crm.FeedbackComplaint
	case e.RecordType != "Bounce":
	case e.Type == "HardBounce" || e.Type == "BadEmailAddress" || e.Type == "ManuallyDeactivated":
		kind = crm.FeedbackHardBounce
	case e.Type == "SoftBounce" || e.Type == "Blocked" || e.Type == "DnsError":
		kind = crm.FeedbackSoftBounce
	}
	var events []feedback
	if kind != "" {
		events = append(events, feedback{kind: kind, source: sourcePostmark, eventID: strconv.FormatInt(e.ID, 10) + "/" + e.RecordType,
			address: e.Email, detail: strings.TrimSpace(e.Type + ": " + e.Description + " " + e.Details)})
	}
	s.writeFeedback(w, r, events)
}
