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
}

type dkimKey struct {
	selector string
	key      crypto.Signer
	algo     string // a= tag
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
		dk := dkimKey{selector: k.Selector, key: key, algo: "rsa-sha256"}
		if _, ok := key.(ed25519.PrivateKey); ok {
			dk.algo = "ed25519-sha256"
		}
		d.keys = append(d.keys, dk)
	}
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

// sign puts a DKIM-Signature header, one per key, in front of the
// message that starts at msg[start:] and whose body starts at
// msg[bodyStart:] (RFC 6376: relaxed header and simple body
// canonicalization, SHA-256; RFC 8463 for Ed25519). The message is the
// builder's own: CRLF line ends, one field per signed header name, so it
// is read in one pass without a general parser. pre, when the body
// starts with its bytes, spares hashing them again.
func (d *dkimSigner) sign(msg []byte, start, bodyStart int, pre *bodyPrefix) ([]byte, error) {
	if bodyStart < start+4 || string(msg[bodyStart-4:bodyStart]) != "\r\n\r\n" {
		return msg, errors.New("dkim: message has no header/body separator")
	}
	head, body := msg[start:bodyStart-2], msg[bodyStart:]
	var bh [sha256.Size]byte
	pre.bodyHash(body, &bh)

	// The signed fields hash the same for every key: hash them once and
	// go on from a copy of that state per signature.
	fh := sha256.New()
	canon := make([]byte, 0, 1024)
	var fields [len(signedHeaders)][]byte
	headerFields(head, &fields)
	for i := range signedHeaders {
		if fields[i] == nil {
			continue
		}
		canon = relaxedHeader(canon[:0], fields[i])
		canon = append(canon, "\r\n"...)
		fh.Write(canon)
	}
	t := time.Now().Unix()
	var sigs []byte
	sig := make([]byte, 0, 512)
	for i := range d.keys {
		k := &d.keys[i]
		h := fh
		if i < len(d.keys)-1 {
			c, err := fh.(hash.Cloner).Clone()
			if err != nil {
				return msg, fmt.Errorf("dkim: %w", err)
			}
			h = c
		}
		sig = sig[:0]
		sig = append(sig, "DKIM-Signature: v=1; a="+k.algo+"; c=relaxed/simple; d="+d.domain+"; s="+k.selector+";\r\n t="...)
		sig = strconv.AppendInt(sig, t, 10)
		sig = append(sig, "; h="...)
		first := true
		for i, n := range signedLower {
			if fields[i] == nil {
				continue
			}
			if !first {
				sig = append(sig, ':')
			}
			first = false
			sig = append(sig, n...)
		}
		sig = append(sig, ";\r\n bh="...)
		sig = b64.AppendEncode(sig, bh[:])
		sig = append(sig, ";\r\n b="...)
		h.Write(relaxedHeader(canon[:0], sig))
		var digest [sha256.Size]byte
		h.Sum(digest[:0])
		var signature []byte
		var err error
		if ek, ok := k.key.(ed25519.PrivateKey); ok {
			signature = ed25519.Sign(ek, digest[:])
		} else {
			signature, err = k.key.Sign(nil, digest[:], crypto.SHA256)
		}
		if err != nil {
			return msg, fmt.Errorf("dkim: sign with selector %s: %w", k.selector, err)
		}
		sig = b64.AppendEncode(sig, signature)
		sig = append(sig, "\r\n"...)
		sigs = append(sigs, sig...)
	}

	end := len(msg)
	msg = append(msg, sigs...)
	copy(msg[start+len(sigs):], msg[start:end])
	copy(msg[start:], sigs)
	return msg, nil
}

// bodyPrefix is the start every body of one prepared variant shares (up
// to its first merge slot) and the SHA-256 state after hashing it.
type bodyPrefix struct {
	bytes []byte
	state []byte
}

func newBodyPrefix(b []byte) bodyPrefix {
	h := sha256.New()
	h.Write(b)
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return bodyPrefix{} // not expected for SHA-256: every body is then hashed whole
	}
	return bodyPrefix{bytes: b, state: state}
}

// bodyHash hashes body in the simple canonicalization (trailing empty
// lines dropped, one CRLF at the end), from p's saved state when the
// canonical body starts with p's bytes.
func (p *bodyPrefix) bodyHash(body []byte, out *[sha256.Size]byte) {
	for len(body) >= 2 && body[len(body)-2] == '\r' && body[len(body)-1] == '\n' {
		body = body[:len(body)-2]
	}
	h := sha256.New()
	if p != nil && len(p.bytes) > 0 && bytes.HasPrefix(body, p.bytes) {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(p.state); err == nil {
			body = body[len(p.bytes):]
		} else {
			h.Reset()
		}
	}
	h.Write(body)
	h.Write([]byte("\r\n"))
	h.Sum(out[:0])
}

// headerFields sets fields[i] to the last field of head named
// signedHeaders[i] (without its final CRLF, folded lines included), in one
// pass over head.
func headerFields(head []byte, fields *[len(signedHeaders)][]byte) {
	for len(head) > 0 {
		end := 0
		for {
			i := bytes.Index(head[end:], []byte("\r\n"))
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
				if asciiEqualFold(name, want) {
					fields[i] = bytes.TrimSuffix(field, []byte("\r\n"))
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
	name := bytes.TrimRight(field[:colon], " \t")
	for _, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	dst = append(dst, ':')
	v := bytes.TrimLeft(field[colon+1:], " \t")
	if canonicalValue(v) {
		return append(dst, v...)
	}
	space := false
	started := false
	for _, c := range v {
		switch c {
		case '\r', '\n':
			continue
		case ' ', '\t':
			space = started
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		started = true
		dst = append(dst, c)
	}
	return dst
}

// canonicalValue reports whether a header value with no leading
// whitespace is already in the relaxed form: on one line, single spaces,
// none at the end. The builder's own fields mostly are.
func canonicalValue(v []byte) bool {
	prev := byte(0)
	for _, c := range v {
		switch c {
		case '\r', '\n', '\t':
			return false
		case ' ':
			if prev == ' ' {
				return false
			}
		}
		prev = c
	}
	return prev != ' '
}
