package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/dsn"

	"github.com/halcytone/contentgen/crm"
)

// maxReportBytes bounds one inbound message: reports quote at most the
// original message, which is far smaller.
const maxReportBytes = 4 << 20

// ServeBounces runs the inbound SMTP listener on ln until ctx is done. It
// takes mail for bounces@ and bounces+<token>@ at any domain (the MX of
// BounceDomain leads here) and records the delivery status notifications
// (RFC 3464) and feedback-loop reports (ARF, RFC 5965) it receives;
// other recipients are refused, other mail (auto-replies) is accepted and
// dropped.
func (s *Server) ServeBounces(ctx context.Context, ln net.Listener) error {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &inboundSession{s: s}, nil
	}))
	srv.Domain = s.bounceDomain
	srv.MaxMessageBytes = maxReportBytes
	srv.MaxRecipients = 100
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = slogErrorLog{s}
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = srv.Close()
		case <-done:
		}
	}()
	s.log.Info("bounce listener started", "addr", ln.Addr().String(), "domain", s.bounceDomain)
	err := srv.Serve(ln)
	close(done)
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("bounce listener: %w", err)
}

type slogErrorLog struct{ s *Server }

func (l slogErrorLog) Printf(format string, v ...any) {
	l.s.log.Warn("bounce listener: " + fmt.Sprintf(format, v...))
}
func (l slogErrorLog) Println(v ...any) { l.s.log.Warn("bounce listener: " + fmt.Sprint(v...)) }

type inboundSession struct {
	s     *Server
	rcpts []string
}

func (ss *inboundSession) Mail(string, *smtp.MailOptions) error { return nil }

func (ss *inboundSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	local, _, _ := strings.Cut(strings.ToLower(to), "@")
	if local != bounceLocal && !strings.HasPrefix(local, bounceLocal+"+") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "this server takes bounces and feedback reports only (bounces@ or bounces+token@)"}
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

func (ss *inboundSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	events, err := parseReport(raw, ss.rcpts)
	if err != nil {
		ss.s.log.Info("inbound mail is no report; dropped", "rcpt", ss.rcpts, "err", err)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := ss.s.recordFeedback(ctx, events); err != nil {
		ss.s.log.Error("record inbound feedback", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot record the report now; try again later"}
	}
	return nil
}

func (ss *inboundSession) Reset()        { ss.rcpts = nil }
func (ss *inboundSession) Logout() error { return nil }

// errNoReport: the message is neither a DSN nor an ARF report.
var errNoReport = errors.New("not a delivery status notification or feedback report")

// parseReport reads a DSN or an ARF report into feedback events. Anyone
// can send mail, so an event counts only with a signed VERP token (see
// returnPath): the envelope recipient of a bounce, or for a feedback
// report sent elsewhere its Original-Mail-From or the Return-Path of the
// message it quotes.
func parseReport(raw []byte, rcpts []string) ([]feedback, error) {
	env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	base := feedback{untrusted: true}
	for _, rc := range rcpts {
		if id, sig, ok := parseReturnPath(rc); ok {
			base.deliveryID, base.token = id, sig
			break
		}
	}
	eventID := env.GetHeader("Message-ID")
	if eventID == "" {
		sum := sha256.Sum256(raw)
		eventID = "sha256:" + hex.EncodeToString(sum[:])
	}
	if arf := findPart(env.Root, "message/feedback-report"); arf != nil {
		return parseARF(env.Root, arf, base, eventID)
	}
	rep, err := dsn.ParseReport(env.Root)
	if err != nil {
		return nil, fmt.Errorf("delivery status: %w", err)
	}
	if rep == nil || len(rep.DeliveryStatus.RecipientDSNs) == 0 {
		return nil, errNoReport
	}
	base.source = sourceDSN
	base.messageID, base.newsletterID, _ = originalIDs(env.Root, rep.OriginalMessage)
	var out []feedback
	for _, f := range rep.DeliveryStatus.RecipientDSNs {
		if !dsn.IsFailed(f) {
			continue // delayed, delivered, relayed, expanded: not a bounce
		}
		ev := base
		ev.kind = crm.FeedbackHardBounce
		status := strings.TrimSpace(f.Get("Status"))
		if strings.HasPrefix(status, "4") {
			ev.kind = crm.FeedbackSoftBounce
		}
		ev.address = addressField(f.Get("Original-Recipient"))
		if ev.address == "" {
			ev.address = addressField(f.Get("Final-Recipient"))
		}
		ev.eventID = eventID + "/" + strings.ToLower(ev.address)
		ev.detail = strings.TrimSpace(status + " " + f.Get("Diagnostic-Code"))
		out = append(out, ev)
	}
	return out, nil
}

// parseARF reads a feedback-loop report: every feedback type but
// "not-spam" is a complaint about the reported message.
func parseARF(root, arf *enmime.Part, base feedback, eventID string) ([]feedback, error) {
	fields, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(bytes.TrimSpace(arf.Content), "\r\n\r\n"...)))).ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("feedback report fields: %w", err)
	}
	ftype := strings.ToLower(strings.TrimSpace(fields.Get("Feedback-Type")))
	if ftype == "" || ftype == "not-spam" {
		return nil, nil
	}
	ev := base
	ev.kind, ev.source, ev.eventID, ev.detail = crm.FeedbackComplaint, sourceARF, eventID, "feedback-type "+ftype
	var returnPath string
	ev.messageID, ev.newsletterID, returnPath = originalIDs(root, nil)
	if ev.deliveryID == 0 {
		for _, a := range []string{fields.Get("Original-Mail-From"), returnPath} {
			if id, sig, ok := parseReturnPath(a); ok {
				ev.deliveryID, ev.token = id, sig
				break
			}
		}
	}
	ev.address = addressField(fields.Get("Original-Rcpt-To"))
	return []feedback{ev}, nil
}

// originalIDs reads the Message-ID, newsletter ID and Return-Path of the
// message a report quotes (message/rfc822 or text/rfc822-headers).
func originalIDs(root *enmime.Part, original []byte) (messageID, newsletterID, returnPath string) {
	if original == nil {
		for _, ct := range []string{"message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers"} {
			if p := findPart(root, ct); p != nil {
				original = p.Content
				break
			}
		}
	}
	if original == nil {
		return "", "", ""
	}
	if !bytes.Contains(original, []byte("\n\n")) && !bytes.Contains(original, []byte("\r\n\r\n")) {
		original = append(bytes.TrimRight(original, "\r\n"), "\r\n\r\n"...)
	}
	m, err := mail.ReadMessage(bytes.NewReader(original))
	if err != nil {
		return "", "", ""
	}
	return strings.Trim(strings.TrimSpace(m.Header.Get("Message-ID")), "<>"), strings.TrimSpace(m.Header.Get(HeaderNewsletterID)),
		strings.TrimSpace(m.Header.Get("Return-Path"))
}

// findPart returns the first part of content type ct under p.
func findPart(p *enmime.Part, ct string) *enmime.Part {
	if p == nil {
		return nil
	}
	if strings.EqualFold(p.ContentType, ct) {
		return p
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if f := findPart(c, ct); f != nil {
			return f
		}
	}
	return nil
}

// addressField reads "rfc822; user@example.com" (or a bare address).
func addressField(v string) string {
	if _, a, ok := strings.Cut(v, ";"); ok {
		v = a
	}
	v = strings.Trim(strings.TrimSpace(v), "<>")
	if !strings.Contains(v, "@") {
		return ""
	}
	return strings.ToLower(v)
}
