// Package reportlink signs and checks links to an update's report page
// (/updates/<slug>/report), so a proof email can open the report without
// the Platform API key. A link carries its expiry and an HMAC-SHA256 over
// the slug and the expiry; the worker signs, the Platform verifies, and
// both hold the same secret (REPORT_LINK_SECRET).
package reportlink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MinSecretLen is the shortest secret accepted.
const MinSecretLen = 32

// DefaultValidity is how long a link in a proof email opens the report.
const DefaultValidity = 30 * 24 * time.Hour

// Query parameters of a signed link.
const (
	ParamExpires = "expires"
	ParamSig     = "sig"
)

// Problems a link can have.
var (
	ErrMissing = errors.New("the link carries no signature")
	ErrForged  = errors.New("the link's signature does not match")
	ErrExpired = errors.New("the link has expired")
)

// ParseSecrets reads a comma-separated list of secrets, each at least
// MinSecretLen characters; the first signs, all verify, so a secret can be
// rotated. An empty list is no secrets.
func ParseSecrets(list string) ([][]byte, error) {
	var out [][]byte
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if len(s) < MinSecretLen {
			return nil, fmt.Errorf("a report link secret is %d characters; use at least %d (e.g. openssl rand -base64 32)", len(s), MinSecretLen)
		}
		out = append(out, []byte(s))
	}
	return out, nil
}

// Path is the report page of slug.
func Path(slug string) string { return "/updates/" + url.PathEscape(slug) + "/report" }

// URL is a link to slug's report on the Platform at base, signed with
// secret and valid until expires.
func URL(base, slug string, secret []byte, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	q := url.Values{ParamExpires: {exp}, ParamSig: {sign(secret, slug, exp)}}
	return strings.TrimRight(base, "/") + Path(slug) + "?" + q.Encode()
}

// Verify checks a link's query for slug at now against secrets.
func Verify(secrets [][]byte, slug string, q url.Values, now time.Time) error {
	exp, sig := q.Get(ParamExpires), q.Get(ParamSig)
	if exp == "" || sig == "" {
		return ErrMissing
	}
	valid := false
	for _, secret := range secrets {
		if hmac.Equal([]byte(sign(secret, slug, exp)), []byte(sig)) {
			valid = true
		}
	}
	if !valid {
		return ErrForged
	}
	t, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return ErrForged
	}
	if !now.Before(time.Unix(t, 0)) {
		return ErrExpired
	}
	return nil
}

func sign(secret []byte, slug, expires string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("report-link\n" + slug + "\n" + expires))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
