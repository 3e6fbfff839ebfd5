package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// HeaderNewsletterID names the newsletter a message belongs to.
const HeaderNewsletterID = "X-Newsletter-ID"

// content is a message body before merge values are substituted.
type content struct {
	subject, preheader, html, text string
	fallbacks                      map[string]string
}

func (s *Server) jobContent(ctx context.Context, j *job) (content, error) {
	if !j.variantKey.Valid {
		return content{subject: j.subject, html: j.html, text: j.text}, nil
	}
	v, err := s.variant(ctx, j.variantKey.String)
	if err != nil {
		return content{}, err
	}
	return content{subject: v.Subject, preheader: v.Preheader, html: v.HTML, text: v.Text, fallbacks: v.Fallbacks}, nil
}

// buildMessage assembles the final email of a delivery: merge values
// substituted (HTML-escaped in the HTML part), list headers set.
func (s *Server) buildMessage(ctx context.Context, j *job) (*gomail.Msg, error) {
	c, err := s.jobContent(ctx, j)
	if err != nil {
		return nil, err
	}
	unsub := j.merge[mergetag.FieldUnsubscribeURL]
	if j.token.Valid {
		unsub = s.unsubscribeURL(j.token.String)
	}
	if !headerSafe(unsub) {
		return nil, fmt.Errorf("recipient %s: %s", j.address, ReasonHeaderValue)
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
		// The preheader is plain text: escape it before it joins the HTML.
		htmlBody = withPreheader(htmlBody, mergetag.Merge(html.EscapeString(c.preheader), lookup, fallback, html.EscapeString))
	}
	textBody := mergetag.Merge(c.text, lookup, fallback, nil)

	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(s.from)
	if err := m.AddToFormat(oneLine(j.name), j.address); err != nil {
		return nil, fmt.Errorf("recipient %s: %w", j.address, err)
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
	return m, nil
}

// messageID is stable for a delivery, so a message sent again after a
// crash carries the Message-ID receivers already saw.
func (s *Server) messageID(j *job) string {
	h := sha256.Sum256([]byte(j.newsletterID))
	return fmt.Sprintf("%d.%s@%s", j.id, hex.EncodeToString(h[:6]), s.msgDomain)
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// withPreheader puts the inbox preview text, hidden, first in the body,
// unless the HTML already carries it.
func withPreheader(body, pre string) string {
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

// logMessage writes the message in full, as it would go on the wire, and
// records it as logged.
func (s *Server) logMessage(m *gomail.Msg, j *job) outcome {
	n, err := m.WriteTo(io.Discard)
	if err != nil {
		return outcome{kind: outFailed, err: fmt.Sprintf("build message: %v", err)}
	}
	s.log.Debug("message logged", "deliveryId", j.id, "to", j.address, "bytes", n)
	return outcome{kind: outLogged, messageID: s.messageID(j), at: time.Now()}
}

// sendOutcome classifies a send: permanent (5xx) failures end the
// delivery, others are retried with doubling delays up to MaxAttempts.
func (s *Server) sendOutcome(ctx context.Context, j *job, err error) outcome {
	switch {
	case err == nil:
		return outcome{kind: outSent, messageID: s.messageID(j), at: time.Now()}
	case ctx.Err() != nil:
		return outcome{kind: outRelease}
	case permanent(err):
		return outcome{kind: outFailed, err: err.Error()}
	case j.attempts+1 >= s.cfg.Delivery.MaxAttempts:
		return outcome{kind: outFailed, err: fmt.Sprintf("gave up after %d attempts: %v", j.attempts+1, err)}
	}
	delay := s.cfg.Delivery.RetryBackoff << min(j.attempts, 16)
	s.log.Warn("delivery will be retried", "deliveryId", j.id, "to", j.address, "attempt", j.attempts+1, "in", delay, "err", err)
	return outcome{kind: outRetry, err: err.Error(), retryAt: time.Now().Add(delay)}
}
