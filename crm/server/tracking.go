package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
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

// signer makes and checks the MACs of link tokens. Checking a token
// allocates nothing: each key keeps a pool of HMAC states with their
// message and sum buffers.
type signer struct {
	keys []sync.Pool
}

type macState struct {
	h        hash.Hash
	msg, sum []byte
}

func newSigner(keys []string) *signer {
	s := &signer{keys: make([]sync.Pool, len(keys))}
	for i, k := range keys {
		key := []byte(k)
		s.keys[i].New = func() any { return &macState{h: hmac.New(sha256.New, key)} }
	}
	return s
}

var b64url = base64.RawURLEncoding

// macLen is the length of a MAC: 96 bits, 16 characters of base64url.
const macLen = 12

// sum is the MAC under key i of the message msg appends to its argument.
func (s *signer) sum(i int, msg func([]byte) []byte) (out [macLen]byte) {
	st := s.keys[i].Get().(*macState)
	st.msg = msg(st.msg[:0])
	st.h.Reset()
	st.h.Write(st.msg)
	st.sum = st.h.Sum(st.sum[:0])
	copy(out[:], st.sum)
	s.keys[i].Put(st)
	return out
}

// verify reports whether got (base64url) is the MAC of msg under any key.
func (s *signer) verify(got string, msg func([]byte) []byte) bool {
	var want [macLen]byte
	if len(got) != b64url.EncodedLen(macLen) {
		return false
	}
	if n, err := b64url.Decode(want[:], []byte(got)); err != nil || n != macLen {
		return false
	}
	for i := range s.keys {
		m := s.sum(i, msg)
		if hmac.Equal(m[:], want[:]) {
			return true
		}
	}
	return false
}

// sign is the MAC of msg under the first key, base64url.
func (s *signer) sign(msg func([]byte) []byte) string {
	m := s.sum(0, msg)
	return b64url.EncodeToString(m[:])
}

// Each part of a MAC's message is followed by a zero byte.

func linkMsg(newsletter, variantKey string, id int64) func([]byte) []byte {
	return func(b []byte) []byte {
		b = append(append(append(append(append(b, "link\x00"...), newsletter...), 0), variantKey...), 0)
		return append(strconv.AppendInt(b, id, 36), 0)
	}
}

func recipientMsg(newsletter string, delivery int64) func([]byte) []byte {
	return func(b []byte) []byte {
		b = append(append(append(b, "recipient\x00"...), newsletter...), 0)
		return append(strconv.AppendInt(b, delivery, 36), 0)
	}
}

// A link token is "<link id>.<mac>" where the MAC covers the newsletter,
// the variant and the link ID; with individual tracking a recipient part
// "<delivery id>.<mac>" follows, its MAC covering the newsletter and the
// delivery. The recipient part is the same for every link of a message, so
// it costs one MAC per message and none in aggregate mode.

func linkMAC(s *signer, newsletter, variantKey string, id int64) string {
	return s.sign(linkMsg(newsletter, variantKey, id))
}

func recipientMAC(s *signer, newsletter string, delivery int64) string {
	return s.sign(recipientMsg(newsletter, delivery))
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
	// sent is the send time of the message (Unix seconds), 0 when the
	// token has none. It is not signed: it only tells a scanner's click
	// from a reader's.
	sent int64
}

// parseToken splits "<id>.<mac>[.<delivery>.<mac>[.<sent>]]"; anything
// else fails.
func parseToken(v string) (token, bool) {
	var t token
	if len(v) > 112 {
		return t, false
	}
	var parts [5]string
	n := 0
	for ; n < len(parts) && v != ""; n++ {
		i := strings.IndexByte(v, '.')
		if i < 0 {
			parts[n], v = v, ""
			continue
		}
		parts[n], v = v[:i], v[i+1:]
		if v == "" {
			return t, false
		}
	}
	if v != "" || n < 2 {
		return t, false
	}
	id, err := strconv.ParseInt(parts[0], 36, 64)
	if err != nil || id <= 0 || len(parts[1]) != 16 {
		return t, false
	}
	t.link, t.linkMAC = id, parts[1]
	if n >= 4 {
		d, err := strconv.ParseInt(parts[2], 36, 64)
		if err != nil || d <= 0 || len(parts[3]) != 16 {
			return t, false
		}
		t.delivery, t.recMAC, t.hasRecipient = d, parts[3], true
	}
	if n == 3 {
		return t, false
	}
	if n == 5 {
		sent, err := strconv.ParseInt(parts[4], 36, 64)
		if err != nil || sent <= 0 {
			return t, false
		}
		t.sent = sent
	}
	return t, true
}
