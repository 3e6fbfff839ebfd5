package server

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
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
}

// signedHeaders are the header fields a signature covers; RFC 8058 asks
// for both List-Unsubscribe fields.
var signedHeaders = [...]string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Feedback-ID", HeaderNewsletterID}

type dkimSigner struct {
	domain, selector string
	key              crypto.Signer
	algo             string // a= tag
}

func newDKIMSigner(c DKIMConfig) (*dkimSigner, error) {
	if c.Domain == "" || c.Selector == "" || c.KeyFile == "" {
		return nil, fmt.Errorf("dkim: domain %q, selector %q and key file %q are all required", c.Domain, c.Selector, c.KeyFile)
	}
	key, err := LoadDKIMKey(c.KeyFile)
	if err != nil {
		return nil, err
	}
	d := &dkimSigner{domain: c.Domain, selector: c.Selector, key: key, algo: "rsa-sha256"}
	if _, ok := key.(ed25519.PrivateKey); ok {
		d.algo = "ed25519-sha256"
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

// sign puts a DKIM-Signature header in front of the message that starts
// at msg[start:] (RFC 6376: relaxed header and simple body
// canonicalization, SHA-256; RFC 8463 for Ed25519). The message is the
// builder's own: CRLF line ends, one field per signed header name, so it
// is read in one pass without a general parser.
func (d *dkimSigner) sign(msg []byte, start int) ([]byte, error) {
	m := msg[start:]
	split := bytes.Index(m, []byte("\r\n\r\n"))
	if split < 0 {
		return msg, errors.New("dkim: message has no header/body separator")
	}
	head, body := m[:split+2], m[split+4:]
	var bh [sha256.Size]byte
	simpleBodyHash(body, &bh)

	h := sha256.New()
	var canon []byte
	var fields [len(signedHeaders)][]byte
	headerFields(head, &fields)
	names := make([]string, 0, len(signedHeaders))
	for i, name := range signedHeaders {
		field := fields[i]
		if field == nil {
			continue
		}
		names = append(names, name)
		canon = relaxedHeader(canon[:0], field)
		canon = append(canon, "\r\n"...)
		h.Write(canon)
	}
	sig := make([]byte, 0, 512)
	sig = append(sig, "DKIM-Signature: v=1; a="+d.algo+"; c=relaxed/simple; d="+d.domain+"; s="+d.selector+";\r\n t="...)
	sig = strconv.AppendInt(sig, time.Now().Unix(), 10)
	sig = append(sig, "; h="...)
	for i, n := range names {
		if i > 0 {
			sig = append(sig, ':')
		}
		sig = append(sig, strings.ToLower(n)...)
	}
	sig = append(sig, ";\r\n bh="...)
	sig = b64.AppendEncode(sig, bh[:])
	sig = append(sig, ";\r\n b="...)
	h.Write(relaxedHeader(canon[:0], sig))
	digest := h.Sum(nil)
	var signature []byte
	var err error
	if k, ok := d.key.(ed25519.PrivateKey); ok {
		signature = ed25519.Sign(k, digest)
	} else {
		signature, err = d.key.Sign(nil, digest, crypto.SHA256)
	}
	if err != nil {
		return msg, fmt.Errorf("dkim: sign: %w", err)
	}
	sig = b64.AppendEncode(sig, signature)
	sig = append(sig, "\r\n"...)

	end := len(msg)
	msg = append(msg, sig...)
	copy(msg[start+len(sig):], msg[start:end])
	copy(msg[start:], sig)
	return msg, nil
}

// simpleBodyHash hashes body in the simple canonicalization: trailing
// empty lines dropped, one CRLF at the end.
func simpleBodyHash(body []byte, out *[sha256.Size]byte) {
	for len(body) >= 2 && body[len(body)-2] == '\r' && body[len(body)-1] == '\n' {
		body = body[:len(body)-2]
	}
	h := sha256.New()
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
	space := false
	started := false
	for _, c := range field[colon+1:] {
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
