package server

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/emersion/go-msgauth/dkim"
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
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Feedback-ID", HeaderNewsletterID}

type dkimSigner struct {
	opts dkim.SignOptions
}

func newDKIMSigner(c DKIMConfig) (*dkimSigner, error) {
	if c.Domain == "" || c.Selector == "" || c.KeyFile == "" {
		return nil, fmt.Errorf("dkim: domain %q, selector %q and key file %q are all required", c.Domain, c.Selector, c.KeyFile)
	}
	key, err := LoadDKIMKey(c.KeyFile)
	if err != nil {
		return nil, err
	}
	return &dkimSigner{opts: dkim.SignOptions{Domain: c.Domain, Selector: c.Selector, Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationSimple,
		HeaderKeys: signedHeaders}}, nil
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
// at msg[start:].
func (d *dkimSigner) sign(msg []byte, start int) ([]byte, error) {
	opts := d.opts
	s, err := dkim.NewSigner(&opts)
	if err != nil {
		return msg, fmt.Errorf("dkim: %w", err)
	}
	if _, err := bytes.NewReader(msg[start:]).WriteTo(s); err != nil {
		_ = s.Close()
		return msg, fmt.Errorf("dkim: %w", err)
	}
	if err := s.Close(); err != nil {
		return msg, fmt.Errorf("dkim: %w", err)
	}
	sig := s.Signature()
	end := len(msg)
	msg = append(msg, sig...)
	copy(msg[start+len(sig):], msg[start:end])
	copy(msg[start:], sig)
	return msg, nil
}
