package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Tracking modes. The zero Config tracks nothing; `crm serve` defaults to
// TrackingAggregate.
const (
	// TrackingOff leaves links as they are and counts nothing.
	TrackingOff = "off"
	// TrackingAggregate rewrites links and counts clicks per link, section
	// and day, without any recipient next to a click.
	TrackingAggregate = "aggregate"
	// TrackingIndividual also records which delivery (so which recipient)
	// clicked or opened.
	TrackingIndividual = "individual"
)

// Paths of the tracking endpoints (no API key: readers reach them).
const (
	PathClick = "/r/"
	PathOpen  = "/o/"
)

// TrackingConfig sets how sent links and opens are counted.
type TrackingConfig struct {
	// Mode is TrackingOff (or ""), TrackingAggregate or TrackingIndividual.
	Mode string
	// Opens adds an open pixel to every HTML message.
	Opens bool
	// Keys sign link tokens: the first signs, all are accepted (rotation).
	// Required unless Mode is off.
	Keys []string
}

func (c TrackingConfig) on() bool { return c.Mode == TrackingAggregate || c.Mode == TrackingIndividual }

func (c TrackingConfig) check() (TrackingConfig, error) {
	var keys []string
	for _, k := range c.Keys {
		if k = strings.TrimSpace(k); k != "" {
			if len(k) < 16 {
				return c, errors.New("a tracking signing key is shorter than 16 characters; use a long random secret (openssl rand -base64 32)")
			}
			keys = append(keys, k)
		}
	}
	c.Keys = keys
	switch c.Mode {
	case "", TrackingOff:
		// Keys still verify the links of emails sent while tracking was on.
		c.Mode, c.Opens = TrackingOff, false
		return c, nil
	case TrackingAggregate, TrackingIndividual:
	default:
		return c, fmt.Errorf("tracking mode %q: want %q, %q or %q", c.Mode, TrackingOff, TrackingAggregate, TrackingIndividual)
	}
	if len(keys) == 0 {
		return c, errors.New("tracking is on but no signing key is set; set TRACKING_SIGNING_KEYS to a long random secret, or TRACKING=off")
	}
	return c, nil
}

// signer makes and checks the MACs of link tokens.
type signer struct {
	keys []hmacPool
}

type hmacPool struct{ p sync.Pool }

func newSigner(keys []string) *signer {
	s := &signer{keys: make([]hmacPool, len(keys))}
	for i, k := range keys {
		key := []byte(k)
		s.keys[i].p.New = func() any { return hmac.New(sha256.New, key) }
	}
	return s
}

var b64url = base64.RawURLEncoding

// mac is a 96-bit MAC of parts under key i, base64url (16 characters).
func (s *signer) mac(i int, parts ...string) string {
	h := s.keys[i].p.Get().(interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
		Reset()
	})
	h.Reset()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	out := b64url.EncodeToString(h.Sum(sum[:0])[:12])
	s.keys[i].p.Put(h)
	return out
}

func (s *signer) sign(parts ...string) string { return s.mac(0, parts...) }

// verify reports whether got is the MAC of parts under any key.
func (s *signer) verify(got string, parts ...string) bool {
	for i := range s.keys {
		if hmac.Equal([]byte(got), []byte(s.mac(i, parts...))) {
			return true
		}
	}
	return false
}

// A link token is "<link id>.<mac>" where the MAC covers the newsletter,
// the variant and the link ID; with individual tracking a recipient part
// "<delivery id>.<mac>" follows, its MAC covering the newsletter and the
// delivery. The recipient part is the same for every link of a message, so
// it costs one MAC per message and none in aggregate mode.

func linkMAC(s *signer, newsletter, variantKey string, id int64) string {
	return s.sign("link", newsletter, variantKey, strconv.FormatInt(id, 36))
}

func recipientMAC(s *signer, newsletter string, delivery int64) string {
	return s.sign("recipient", newsletter, strconv.FormatInt(delivery, 36))
}

// linkToken is a link's token without a recipient part.
func linkToken(s *signer, newsletter, variantKey string, id int64) string {
	return strconv.FormatInt(id, 36) + "." + linkMAC(s, newsletter, variantKey, id)
}

// recipientPart is the token suffix naming one delivery.
func recipientPart(s *signer, newsletter string, delivery int64) string {
	return strconv.FormatInt(delivery, 36) + "." + recipientMAC(s, newsletter, delivery)
}

// token is a parsed link token, not yet verified.
type token struct {
	link, delivery  int64
	linkMAC, recMAC string
	hasRecipient    bool
}

// parseToken splits "<id>.<mac>[.<delivery>.<mac>]"; anything else fails.
func parseToken(v string) (token, bool) {
	var t token
	if len(v) > 96 {
		return t, false
	}
	var parts [4]string
	n := 0
	for n < 4 {
		i := strings.IndexByte(v, '.')
		if i < 0 {
			parts[n] = v
			n++
			v = ""
			break
		}
		parts[n], v = v[:i], v[i+1:]
		n++
	}
	if v != "" || (n != 2 && n != 4) {
		return t, false
	}
	id, err := strconv.ParseInt(parts[0], 36, 64)
	if err != nil || id <= 0 || len(parts[1]) != 16 {
		return t, false
	}
	t.link, t.linkMAC = id, parts[1]
	if n == 4 {
		d, err := strconv.ParseInt(parts[2], 36, 64)
		if err != nil || d <= 0 || len(parts[3]) != 16 {
			return t, false
		}
		t.delivery, t.recMAC, t.hasRecipient = d, parts[3], true
	}
	return t, true
}
