package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/mergetag"
)

// HeaderNewsletterID names the newsletter a message belongs to.
const HeaderNewsletterID = "X-Newsletter-ID"

var b64 = base64.StdEncoding

// errBadMessage marks a message that can never be built (an invalid
// address, a header value with a line break): retrying will not help.
var errBadMessage = errors.New("message cannot be built")

// content is a message body before merge values are substituted.
type content struct {
	variantID                      string
	subject, preheader, html, text string
	fallbacks                      map[string]string
}

// template returns the prepared body of a job: its variant's, prepared
// once and cached, or its own.
func (s *Server) template(ctx context.Context, j *job) (*prepared, error) {
	if !j.variantKey.Valid {
		return s.prepare(content{subject: j.subject, html: j.html, text: j.text}), nil
	}
	if t, ok := s.templates.get(j.variantKey.String); ok {
		return t, nil
	}
	v, err := s.variant(ctx, j.variantKey.String)
	if err != nil {
		return nil, err
	}
	htmlBody, textBody, err := s.trackVariant(ctx, j.newsletterID, j.variantKey.String, v.HTML, v.Text)
	if err != nil {
		return nil, err
	}
	t := s.prepare(content{variantID: v.ID, subject: v.Subject, preheader: v.Preheader, html: htmlBody, text: textBody, fallbacks: v.Fallbacks})
	t.trackRecipient = s.cfg.Tracking.Mode == TrackingIndividual
	t.trackSent = s.cfg.Tracking.Opens || t.trackRecipient
	s.templates.put(j.variantKey.String, t)
	return t, nil
}

// recipient holds one job's merge values.
type recipient struct {
	j         *job
	derived   map[string]string
	fallbacks map[string]string
	// track is the recipient part of link tokens, sent the send time of
	// the open pixel; set only when the variant has such slots.
	track, sent string
}

// value is the merge value of field: the message's own, then the
// recipient's standard fields, then the variant's fallback; "" when none.
// The tracking slots take only the CRM's own values.
func (r *recipient) value(field string) string {
	switch field {
	case fieldTrackRecipient:
		return r.track
	case fieldTrackSent:
		return r.sent
	}
	if v := r.j.merge[field]; v != "" {
		return v
	}
	if v, ok := r.derived[field]; ok {
		return v
	}
	return r.fallbacks[field]
}

func (r *recipient) lookup(field string) (string, bool) {
	v := r.value(field)
	return v, v != ""
}

// buildMessage appends the final email of a delivery, as it goes on the
// wire, to dst: merge values substituted (HTML-escaped in the HTML part),
// list headers set, signed when DKIM is configured. Only the merged values
// are encoded per recipient; the rest was encoded once per variant.
func (s *Server) buildMessage(ctx context.Context, j *job, dst []byte) ([]byte, error) {
	t, err := s.template(ctx, j)
	if err != nil {
		return dst, err
	}
	return s.build(t, j, dst)
}

func (s *Server) build(t *prepared, j *job, dst []byte) ([]byte, error) {
	unsub := j.merge[mergetag.FieldUnsubscribeURL]
	if j.token.Valid {
		unsub = s.unsubscribeURL(j.token.String)
	}
	if !headerSafe(unsub) {
		return dst, fmt.Errorf("%w: recipient %s: %s", errBadMessage, j.address, ReasonHeaderValue)
	}
	to, err := mail.ParseAddress(j.address)
	if err != nil || to.Address != j.address {
		return dst, fmt.Errorf("%w: recipient address %q is not a plain address", errBadMessage, j.address)
	}
	r := &recipient{j: j, fallbacks: t.fallbacks,
		derived: crm.MergeValues(crm.Recipient{Email: j.address, Name: j.name, UnsubscribeURL: unsub})}
	if t.trackRecipient && s.signer != nil {
		r.track = recipientPart(s.signer, j.newsletterID, j.id)
	}
	now := time.Now()
	if t.trackSent {
		r.sent = strconv.FormatInt(now.Unix(), 36)
	}

	start := len(dst)
	if s.dkim != nil {
		dst = s.dkim.reserve(dst)
	}
	dst = s.appendHeaders(dst, t, r, unsub, now)

	textEmpty := t.text.empty(r, notPre)
	htmlEmpty := t.html.empty(r, notPre)
	shape := shapeText
	switch {
	case !textEmpty && !htmlEmpty:
		shape = shapeMultipart
		dst = append(dst, t.parts.multipart...)
	case !htmlEmpty:
		shape = shapeHTML
		dst = append(dst, htmlPartHeaders...)
	default:
		dst = append(dst, textPartHeaders...)
	}
	bodyStart := len(dst)
	var signing dkimMessage
	// lit learns where the literal after which a signed body's hash state
	// is cached goes in the body's first part.
	lit := literalMark{seg: -1}
	if s.dkim != nil {
		if dst, bodyStart, err = s.dkim.begin(&signing, dst, start, bodyStart, now); err != nil {
			return dst, err
		}
		lit.seg = t.prefixes[shape].cut
	}
	switch shape {
	case shapeMultipart:
		dst = append(dst, t.parts.textOpen...)
		dst = t.text.appendBody(dst, r, nil, &lit)
		dst = append(dst, t.parts.htmlOpen...)
		dst = t.html.appendBody(dst, r, html.EscapeString, nil)
		dst = append(dst, t.parts.close...)
	case shapeHTML:
		dst = t.html.appendBody(dst, r, html.EscapeString, &lit)
	default:
		dst = t.text.appendBody(dst, r, nil, &lit)
	}
	if s.dkim != nil {
		return s.dkim.finish(&signing, dst, &t.prefixes[shape], lit.span)
	}
	return dst, nil
}

// appendHeaders appends the header fields of r's message but its
// Content-Type.
func (s *Server) appendHeaders(dst []byte, t *prepared, r *recipient, unsub string, now time.Time) []byte {
	j := r.j
	dst = appendHeader(dst, "From", s.fromHeader)
	dst = append(dst, "To: "...)
	dst = appendAddress(dst, oneLine(j.name), j.address)
	dst = append(dst, "\r\n"...)
	dst = append(dst, "Subject: "...)
	dst = appendText(dst, oneLine(mergetag.Merge(t.subject, r.lookup, nil, nil)))
	dst = append(dst, "\r\nDate: "...)
	dst = now.AppendFormat(dst, time.RFC1123Z)
	dst = append(dst, "\r\nMessage-ID: <"...)
	dst = s.appendMessageID(dst, j)
	dst = append(dst, ">\r\nMIME-Version: 1.0\r\n"+HeaderNewsletterID+": "...)
	dst = appendText(dst, oneLine(j.newsletterID))
	dst = append(dst, "\r\n"...)
	if unsub != "" {
		dst = append(dst, "List-Unsubscribe: <"...)
		dst = append(dst, unsub...)
		dst = append(dst, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"...)
	}
	dst = append(dst, s.listHeaders...)
	dst = appendHeader(dst, "Feedback-ID", feedbackID(j.newsletterID, t.variantID, s.msgDomain))
	return dst
}

// bodyShape is which parts a message has.
type bodyShape uint8

const (
	shapeMultipart bodyShape = iota
	shapeHTML
	shapeText
	shapes
)

// bodyPrefixes returns, per shape, the start every body of t shares and
// its SHA-256 state, so a signature hashes only what follows.
func (t *prepared) bodyPrefixes() (p [shapes]bodyPrefix) {
	p[shapeMultipart] = newBodyPrefix(t.text.appendStatic([]byte(t.parts.textOpen)), t.text.cachedLiteral())
	p[shapeHTML] = newBodyPrefix(t.html.appendStatic(nil), t.html.cachedLiteral())
	p[shapeText] = newBodyPrefix(t.text.appendStatic(nil), t.text.cachedLiteral())
	return p
}

// The header fields that end a single-part message's header.
var (
	htmlPartHeaders = partHeaders("text/html")
	textPartHeaders = partHeaders("text/plain")
)

func partHeaders(mediaType string) string {
	return "Content-Type: " + mediaType + "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
}

// multipartFrame is the frame of a multipart message around its two
// parts' content.
type multipartFrame struct {
	// multipart ends the message's header; textOpen and htmlOpen start
	// the parts; close ends the message.
	multipart, textOpen, htmlOpen, close string
}

func newMultipartFrame(boundary string) multipartFrame {
	return multipartFrame{
		multipart: `Content-Type: multipart/alternative; boundary="` + boundary + `"` + "\r\n\r\n",
		textOpen:  "--" + boundary + "\r\n" + textPartHeaders,
		htmlOpen:  "\r\n--" + boundary + "\r\n" + htmlPartHeaders,
		close:     "\r\n--" + boundary + "--\r\n",
	}
}

// messageID is stable for a delivery, so a message sent again after a
// crash carries the Message-ID receivers already saw.
func (s *Server) messageID(j *job) string {
	return string(s.appendMessageID(nil, j))
}

func (s *Server) appendMessageID(dst []byte, j *job) []byte {
	dst = strconv.AppendInt(dst, j.id, 10)
	dst = append(dst, '.')
	dst = append(dst, j.newsletterTag()...)
	dst = append(dst, '@')
	return append(dst, s.msgDomain...)
}

// feedbackID is the Feedback-ID header (campaign:variant:type:sender) that
// mailbox providers' feedback loops report complaints by.
func feedbackID(newsletter, variant, sender string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r <= ' ' || r > '~' || r == ':' {
				return '-'
			}
			return r
		}, s)
	}
	if variant == "" {
		variant = "own"
	}
	return clean(newsletter) + ":" + clean(variant) + ":newsletter:" + clean(sender)
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// prepared is a body prepared once per variant: its parts split at merge
// slots, the literal text between them already encoded.
type prepared struct {
	// trackRecipient and trackSent say the HTML holds the tracking slots.
	trackRecipient, trackSent bool
	variantID                 string
	subject                   string
	fallbacks                 map[string]string
	text, html                body
	parts                     multipartFrame
	// prefixes are set when messages are signed.
	prefixes [shapes]bodyPrefix
}

// body is one MIME part's content as pieces.
type body []segment

type segment struct {
	lit   string // literal text, when field is ""
	piece qpPiece
	field string
	// pre marks the hidden preheader, left out when its text merges to
	// blank.
	pre preKind
}

type preKind uint8

const (
	notPre preKind = iota
	preWrap
	preText
)

// prepare splits and encodes c once.
func (s *Server) prepare(c content) *prepared {
	t := s.prepareParts(c)
	if s.dkim != nil {
		t.prefixes = t.bodyPrefixes()
	}
	return t
}

func (s *Server) prepareParts(c content) *prepared {
	t := &prepared{variantID: c.variantID, subject: c.subject, fallbacks: c.fallbacks,
		text: split(c.text, notPre), parts: newMultipartFrame(newBoundary())}
	htmlTpl := c.html
	pre := html.EscapeString(c.preheader)
	if c.preheader == "" || htmlTpl == "" || strings.Contains(htmlTpl, pre) {
		t.html = split(htmlTpl, notPre)
		return t
	}
	// The preheader goes first in the body, hidden; it is plain text, so it
	// is escaped before it joins the HTML.
	at := 0
	lower := strings.ToLower(htmlTpl)
	if i := strings.Index(lower, "<body"); i >= 0 {
		if end := strings.IndexByte(htmlTpl[i:], '>'); end >= 0 {
			at = i + end + 1
		}
	}
	t.html = split(htmlTpl[:at], notPre)
	t.html = append(t.html, split(`<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">`, preWrap)...)
	t.html = append(t.html, split(pre, preText)...)
	t.html = append(t.html, split(`</div>`, preWrap)...)
	t.html = append(t.html, split(htmlTpl[at:], notPre)...)
	return t
}

func split(s string, pre preKind) body {
	parts := mergetag.Split(s)
	b := make(body, 0, len(parts))
	for _, p := range parts {
		if p.Field != "" {
			b = append(b, segment{field: p.Field, pre: pre})
		} else {
			b = append(b, segment{lit: p.Literal, piece: newQPPiece(p.Literal), pre: pre})
		}
	}
	return b
}

// appendStatic appends the encoded start of b that is the same for every
// recipient: the literal text before its first merge slot or preheader.
func (b body) appendStatic(dst []byte) []byte {
	var st qpState
	for i := range b {
		g := &b[i]
		if g.field != "" || g.pre != notPre {
			break
		}
		dst = appendPiece(dst, &g.piece, &st)
	}
	return dst
}

// empty reports whether the segments of kind pre merge to nothing (for
// the preheader's text: to blank).
func (b body) empty(r *recipient, pre preKind) bool {
	for i := range b {
		g := &b[i]
		if g.pre != pre {
			continue
		}
		v := g.lit
		if g.field != "" {
			v = r.value(g.field)
		}
		if pre == preText {
			v = strings.TrimSpace(v)
		}
		if v != "" {
			return false
		}
	}
	return true
}

// minCachedLiteral is the shortest literal after which a body's hash
// state is cached (bodyPrefix).
const minCachedLiteral = 1024

// cachedLiteral returns the index of the first long literal after the
// first merge slot, or -1.
func (b body) cachedLiteral() int {
	i := 0
	for i < len(b) && b[i].field == "" && b[i].pre == notPre {
		i++
	}
	for ; i < len(b); i++ {
		if g := &b[i]; g.field == "" && g.pre == notPre && len(g.piece.enc) >= minCachedLiteral {
			return i
		}
	}
	return -1
}

// literalMark asks appendBody where segment seg goes.
type literalMark struct {
	seg  int
	span literalSpan
}

// appendBody appends the encoded part for r; escape, when set, applies to
// merged values. mark, when set, learns where its segment went.
func (b body) appendBody(dst []byte, r *recipient, escape func(string) string, mark *literalMark) []byte {
	skipPre := b.empty(r, preText)
	var st qpState
	for i := range b {
		g := &b[i]
		if g.pre != notPre && skipPre {
			continue
		}
		if g.field == "" {
			if mark != nil && i == mark.seg {
				mark.span = literalSpan{start: len(dst), afterCR: st.cr && g.piece.startLF}
				dst = appendPiece(dst, &g.piece, &st)
				mark.span.end = len(dst)
				continue
			}
			dst = appendPiece(dst, &g.piece, &st)
			continue
		}
		v := r.value(g.field)
		if escape != nil {
			v = escape(v)
		}
		dst = qpEndPiece(appendQP(dst, v, &st), &st)
	}
	return dst
}

func newBoundary() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	// "=_" never occurs in quoted-printable text, so the boundary cannot
	// appear in a part.
	return "=_hcg_" + hex.EncodeToString(b[:])
}

func appendHeader(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// plainHeader reports whether v can stand in a header as it is.
func plainHeader(v string, max int) bool {
	if len(v) > max {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

// appendText appends an unstructured header value: as it is when short
// printable ASCII, else as RFC 2047 encoded words on folded lines.
func appendText(dst []byte, v string) []byte {
	if plainHeader(v, 900) {
		return append(dst, v...)
	}
	return appendEncodedWords(dst, v)
}

// appendAddress appends "Name <address>".
func appendAddress(dst []byte, name, address string) []byte {
	a := &mail.Address{Name: name, Address: address}
	if plainHeader(name, 200) {
		return append(dst, a.String()...)
	}
	dst = appendEncodedWords(dst, name)
	a.Name = ""
	dst = append(dst, ' ')
	return append(dst, a.String()...)
}

// appendEncodedWords writes v as base64 encoded words of at most 45 bytes
// of whole UTF-8 characters, one per folded line.
func appendEncodedWords(dst []byte, v string) []byte {
	for first := true; v != ""; first = false {
		n := min(len(v), 45)
		for n < len(v) && n > 0 && v[n]&0xC0 == 0x80 {
			n--
		}
		if n == 0 {
			n = min(len(v), 45)
		}
		if !first {
			dst = append(dst, "\r\n "...)
		}
		dst = append(dst, "=?UTF-8?B?"...)
		dst = b64.AppendEncode(dst, []byte(v[:n]))
		dst = append(dst, "?="...)
		v = v[n:]
	}
	return dst
}
