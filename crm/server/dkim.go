package server

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DKIMConfig says how messages are signed (RFC 6376).
type DKIMConfig struct {
	// Domain is the signing domain (d=), normally the sender's.
	Domain string
	// Selector names the key's DNS record: <selector>._domainkey.<domain>.
	Selector string
	// KeyFile is a PEM file holding an RSA (2048 bits or more) or Ed25519
	// private key, PKCS#8 ("PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY").
	KeyFile string
	// More are further keys of the same domain, each adding a signature:
	// RSA and Ed25519 side by side, as RFC 8463 advises while receivers
	// that check only RSA remain.
	More []DKIMKey
}

// DKIMKey is one signing key and the selector of its DNS record.
type DKIMKey struct {
	Selector, KeyFile string
}

// signedHeaders are the header fields a signature covers; RFC 8058 asks
// for both List-Unsubscribe fields.
var signedHeaders = [...]string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Feedback-ID", HeaderNewsletterID}

// signedLower are signedHeaders as the h= tag lists them.
var signedLower = func() (l [len(signedHeaders)]string) {
	for i, n := range signedHeaders {
		l[i] = strings.ToLower(n)
	}
	return l
}()

type dkimSigner struct {
	domain string
	keys   []dkimKey
	// room is the length of the signature fields when every signed header
	// field is present.
	room int
}

type dkimKey struct {
	selector string
	key      crypto.Signer
	algo     string // a= tag
	size     int    // bytes of a signature
}

func newDKIMSigner(c DKIMConfig) (*dkimSigner, error) {
	if c.Domain == "" {
		return nil, fmt.Errorf("dkim: domain %q, selector %q and key file %q are all required", c.Domain, c.Selector, c.KeyFile)
	}
	d := &dkimSigner{domain: c.Domain}
	for _, k := range append([]DKIMKey{{c.Selector, c.KeyFile}}, c.More...) {
		if k.Selector == "" || k.KeyFile == "" {
			return nil, fmt.Errorf("dkim: domain %q, selector %q and key file %q are all required", c.Domain, k.Selector, k.KeyFile)
		}
		key, err := LoadDKIMKey(k.KeyFile)
		if err != nil {
			return nil, err
		}
		dk := dkimKey{selector: k.Selector, key: key, algo: "ed25519-sha256", size: ed25519.SignatureSize}
		if r, ok := key.(*rsa.PrivateKey); ok {
			dk.algo, dk.size = "rsa-sha256", r.Size()
		}
		d.keys = append(d.keys, dk)
	}
	var all [len(signedHeaders)][]byte
	for i := range all {
		all[i] = []byte{}
	}
	fields, _ := d.appendFields(nil, nil, time.Now().Unix(), &all)
	d.room = len(fields)
	return d, nil
}

// LoadDKIMKey reads an RSA or Ed25519 private key from a PEM file.
func LoadDKIMKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("dkim key %s: no PEM block; want a PKCS#8 \"PRIVATE KEY\" or PKCS#1 \"RSA PRIVATE KEY\"", path)
	}
	var key any
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("dkim key %s: PEM block %q; want \"PRIVATE KEY\" or \"RSA PRIVATE KEY\"", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("dkim key %s: %w", path, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("dkim key %s: RSA key of %d bits; receivers want 2048 or more", path, k.N.BitLen())
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("dkim key %s: %T keys are not supported; use RSA or Ed25519", path, key)
}

// A message is signed in three steps around its building, so that the
// signature fields are written in place and the message never has to
// move behind them: reserve leaves room for them at the front, begin
// hashes the header fields once they are written and fits the room to
// the signature fields' exact length (moving only the header fields if it
// was not), and finish hashes the body and writes the signatures. RFC
// 6376: relaxed header and simple body canonicalization, SHA-256; RFC
// 8463 for Ed25519. The message is the builder's own: CRLF line ends, one
// field per signed header name, so it is read without a general parser.

// dkimMessage is one message between begin and finish.
type dkimMessage struct {
	sc               *signScratch
	start, bodyStart int
}

// signScratch holds what signing a message needs; it is reused between
// messages, so that signing allocates nothing.
type signScratch struct {
	body   hash.Hash
	canon  []byte // the canonical signed fields, then a signature's own
	fields []byte // the signature fields, their bh= and b= values blank
	bh     []int  // per key, where its bh= value starts in fields
	key    []byte // a stateCache key
	sum    [sha256.Size]byte
	digest [sha256.Size]byte
}

var signScratchPool = sync.Pool{New: func() any {
	return &signScratch{body: sha256.New(), canon: make([]byte, 0, 2048), fields: make([]byte, 0, 1024)}
}}

// reserve appends the room the signature fields take when every signed
// header field is present.
func (d *dkimSigner) reserve(dst []byte) []byte {
	return append(dst, make([]byte, d.room)...)
}

// begin reads the header fields that follow the room reserved at
// msg[start:], up to the empty line that ends them at bodyStart, and
// writes the signature fields into the room, fitted to their length. It
// returns the message and where its body starts, moved if the room was.
func (d *dkimSigner) begin(m *dkimMessage, msg []byte, start, bodyStart int, now time.Time) ([]byte, int, error) {
	head := start + d.room
	if bodyStart < head+4 || string(msg[bodyStart-4:bodyStart]) != "\r\n\r\n" {
		return msg, bodyStart, errors.New("dkim: message has no header/body separator")
	}
	sc := signScratchPool.Get().(*signScratch)
	var fields [len(signedHeaders)][]byte
	headerFields(msg[head:bodyStart-2], &fields)
	sc.canon = sc.canon[:0]
	for i := range signedHeaders {
		if fields[i] != nil {
			sc.canon = relaxedField(sc.canon, signedLower[i], fields[i])
			sc.canon = append(sc.canon, "\r\n"...)
		}
	}
	sc.fields, sc.bh = d.appendFields(sc.fields[:0], sc.bh[:0], now.Unix(), &fields)
	if n := len(sc.fields); n != d.room {
		end := len(msg)
		if n > d.room {
			msg = append(msg, make([]byte, n-d.room)...)
		}
		copy(msg[start+n:], msg[head:end])
		msg = msg[:end+n-d.room]
		bodyStart += n - d.room
	}
	copy(msg[start:], sc.fields)
	*m = dkimMessage{sc: sc, start: start, bodyStart: bodyStart}
	return msg, bodyStart, nil
}

// appendFields appends a DKIM-Signature field per key, with blank bh=
// and b= values of their final lengths, and where each bh= value starts.
func (d *dkimSigner) appendFields(dst []byte, bh []int, t int64, fields *[len(signedHeaders)][]byte) ([]byte, []int) {
	for i := range d.keys {
		k := &d.keys[i]
		dst = append(dst, "DKIM-Signature: v=1; a="...)
		dst = append(dst, k.algo...)
		dst = append(dst, "; c=relaxed/simple; d="...)
		dst = append(dst, d.domain...)
		dst = append(dst, "; s="...)
		dst = append(dst, k.selector...)
		dst = append(dst, ";\r\n t="...)
		dst = strconv.AppendInt(dst, t, 10)
		dst = append(dst, "; h="...)
		first := true
		for i, n := range signedLower {
			if fields[i] == nil {
				continue
			}
			if !first {
				dst = append(dst, ':')
			}
			first = false
			dst = append(dst, n...)
		}
		dst = append(dst, ";\r\n bh="...)
		bh = append(bh, len(dst))
		dst = append(dst, make([]byte, b64.EncodedLen(sha256.Size))...)
		dst = append(dst, ";\r\n b="...)
		dst = append(dst, make([]byte, b64.EncodedLen(k.size))...)
		dst = append(dst, "\r\n"...)
	}
	return dst, bh
}

// finish hashes the body of the message m began and writes the
// signatures into their fields. lit is where pre's cached literal went
// in msg.
func (d *dkimSigner) finish(m *dkimMessage, msg []byte, pre *bodyPrefix, lit literalSpan) ([]byte, error) {
	sc := m.sc
	defer signScratchPool.Put(sc)
	if lit.end > 0 {
		lit.start -= m.bodyStart
		lit.end -= m.bodyStart
	}
	pre.bodyHash(sc, msg[m.bodyStart:], lit, &sc.sum)
	room := msg[m.start : m.start+len(sc.fields)]
	signed := len(sc.canon)
	from := 0
	for i := range d.keys {
		k := &d.keys[i]
		b64.Encode(room[sc.bh[i]:], sc.sum[:])
		b := sc.bh[i] + b64.EncodedLen(sha256.Size) + len(";\r\n b=")
		sc.canon = relaxedField(sc.canon[:signed], "dkim-signature", room[from:b])
		sc.digest = sha256.Sum256(sc.canon)
		var sig []byte
		if ek, ok := k.key.(ed25519.PrivateKey); ok {
			sig = ed25519.Sign(ek, sc.digest[:])
		} else {
			var err error
			if sig, err = k.key.Sign(nil, sc.digest[:], crypto.SHA256); err != nil {
				return msg, fmt.Errorf("dkim: sign with selector %s: %w", k.selector, err)
			}
		}
		if len(sig) != k.size {
			return msg, fmt.Errorf("dkim: selector %s: signature of %d bytes, want %d", k.selector, len(sig), k.size)
		}
		b64.Encode(room[b:], sig)
		from = b + b64.EncodedLen(k.size) + len("\r\n")
	}
	return msg, nil
}

var lineEnd = []byte("\r\n")

// bodyPrefix is what every body of one shape of a prepared variant
// shares: its start up to the first merge slot and the SHA-256 state
// after hashing it; and the states after the first long literal that
// follows a merge slot, cached by what was merged before it. Names and
// other values early in a body repeat across a list, so the literal after
// them is hashed once per distinct value, not once per message.
type bodyPrefix struct {
	bytes []byte
	state []byte
	// cut is the index of that literal among the segments of the body's
	// first part; -1 when there is none.
	cut    int
	states *stateCache
}

func newBodyPrefix(b []byte, cut int) bodyPrefix {
	h := sha256.New()
	h.Write(b)
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return bodyPrefix{cut: -1} // not expected for SHA-256: every body is then hashed whole
	}
	p := bodyPrefix{bytes: b, state: state, cut: cut}
	if cut >= 0 {
		p.states = &stateCache{m: make(map[string][]byte)}
	}
	return p
}

// literalSpan is where the literal segment bodyPrefix.cut went in a
// body; end is 0 when it was not written.
type literalSpan struct {
	start, end int
	// afterCR says the literal was written in its form that follows a CR.
	afterCR bool
}

// Bounds of the cached states: entries per body shape, and the merged
// bytes a key may hold.
const (
	stateCacheMax = 8192
	stateKeyMax   = 256
)

// stateCache maps the bytes written between a body's shared start and
// its cached literal (and the literal's form) to the SHA-256 state after
// the literal. Once full it keeps what it has.
type stateCache struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (c *stateCache) get(key []byte) ([]byte, bool) {
	c.mu.RLock()
	state, ok := c.m[string(key)]
	c.mu.RUnlock()
	return state, ok
}

func (c *stateCache) put(key, state []byte) {
	c.mu.Lock()
	if len(c.m) < stateCacheMax {
		c.m[string(key)] = state
	}
	c.mu.Unlock()
}

// bodyHash hashes body in the simple canonicalization (trailing empty
// lines dropped, one CRLF at the end) with sc.body into out: from p's
// saved state when the canonical body starts with p's bytes, and then
// from the cached state after the literal at lit when there is one.
func (p *bodyPrefix) bodyHash(sc *signScratch, body []byte, lit literalSpan, out *[sha256.Size]byte) {
	for len(body) >= 2 && body[len(body)-2] == '\r' && body[len(body)-1] == '\n' {
		body = body[:len(body)-2]
	}
	h := sc.body
	h.Reset()
	from := 0
	if p != nil && len(p.bytes) > 0 && bytes.HasPrefix(body, p.bytes) && p.resume(h, p.state) {
		from = len(p.bytes)
		if p.states != nil && lit.end > 0 && lit.start >= from && lit.end <= len(body) && lit.start-from <= stateKeyMax {
			sc.key = append(append(sc.key[:0], body[from:lit.start]...), '0')
			if lit.afterCR {
				sc.key[len(sc.key)-1] = '1'
			}
			if state, ok := p.states.get(sc.key); ok && p.resume(h, state) {
				from = lit.end
			} else {
				if ok { // not expected: a state that does not load
					p.resume(h, p.state)
				}
				h.Write(body[from:lit.end])
				from = lit.end
				if state, err := h.(encoding.BinaryAppender).AppendBinary(nil); err == nil {
					p.states.put(sc.key, state)
				}
			}
		}
	}
	h.Write(body[from:])
	h.Write(lineEnd)
	h.Sum(out[:0])
}

// resume loads a saved state into h, or resets h and reports false.
func (p *bodyPrefix) resume(h hash.Hash, state []byte) bool {
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		h.Reset()
		return false
	}
	return true
}

// headerFields sets fields[i] to the last field of head named
// signedHeaders[i] (without its final CRLF, folded lines included), in one
// pass over head.
func headerFields(head []byte, fields *[len(signedHeaders)][]byte) {
	for len(head) > 0 {
		end := 0
		for {
			i := bytes.Index(head[end:], lineEnd)
			if i < 0 {
				end = len(head)
				break
			}
			end += i + 2
			if end >= len(head) || (head[end] != ' ' && head[end] != '\t') {
				break
			}
		}
		field := head[:end]
		if colon := bytes.IndexByte(field, ':'); colon > 0 {
			name := field[:colon]
			for i, want := range signedHeaders {
				if len(name) == len(want) && asciiEqualFold(name, want) {
					fields[i] = bytes.TrimSuffix(field, lineEnd)
					break
				}
			}
		}
		head = head[end:]
	}
}

// asciiEqualFold compares a header name with want, ignoring ASCII case.
func asciiEqualFold(b []byte, want string) bool {
	if len(b) != len(want) {
		return false
	}
	for i := range b {
		c, w := b[i], want[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= w && w <= 'Z' {
			w += 'a' - 'A'
		}
		if c != w {
			return false
		}
	}
	return true
}

// relaxedHeader appends field ("Name: value", possibly folded) in the
// relaxed header canonicalization: lower-case name, no space around the
// colon, unfolded, runs of whitespace as one space, none at the end.
func relaxedHeader(dst, field []byte) []byte {
	colon := bytes.IndexByte(field, ':')
	for _, c := range bytes.TrimRight(field[:colon], " \t") {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return relaxedValue(append(dst, ':'), field[colon+1:])
}

// relaxedField is relaxedHeader for a field whose lower-case name is
// known.
func relaxedField(dst []byte, lower string, field []byte) []byte {
	dst = append(dst, lower...)
	dst = append(dst, ':')
	return relaxedValue(dst, field[bytes.IndexByte(field, ':')+1:])
}

// relaxedValue appends a field's value unfolded, with runs of whitespace
// as one space and none at either end. The builder's own values mostly
// are so already and are copied whole.
func relaxedValue(dst, v []byte) []byte {
	for len(v) > 0 && isFieldSpace(v[0]) {
		v = v[1:]
	}
	for len(v) > 0 && isFieldSpace(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	for {
		// Copy up to the next run of whitespace that is not one space.
		i := 0
		for ; i < len(v); i++ {
			if v[i] <= ' ' && isFieldSpace(v[i]) && (v[i] != ' ' || isFieldSpace(v[i+1])) {
				break
			}
		}
		dst = append(dst, v[:i]...)
		if i == len(v) {
			return dst
		}
		space := false
		for ; isFieldSpace(v[i]); i++ {
			space = space || v[i] == ' ' || v[i] == '\t'
		}
		if space {
			dst = append(dst, ' ')
		}
		v = v[i:]
	}
}

// isFieldSpace reports whether c is whitespace or part of a fold.
func isFieldSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}
