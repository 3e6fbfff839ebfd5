package server

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// refKey is a signing key as the reference computation takes it.
type refKey struct {
	selector string
	key      crypto.Signer
}

var (
	sigTime    = regexp.MustCompile(`^DKIM-Signature: .*[; ]t=([0-9]+);`)
	whitespace = regexp.MustCompile(`[ \t]+`)
)

// referenceSignatures computes the DKIM-Signature fields for msg, one per
// key, the plain way: the message parsed into fields, each canonicalized
// on its own, the body hashed whole. Only the t= values are taken from
// the fields in front of msg (the signing time); it returns those fields
// as they should be and the message that follows them.
func referenceSignatures(t *testing.T, msg []byte, domain string, keys []refKey) (want, rest []byte) {
	t.Helper()
	sep := bytes.Index(msg, []byte("\r\n\r\n"))
	if sep < 0 {
		t.Fatalf("no end of header in\n%s", msg)
	}
	var fields []string
	for _, line := range strings.Split(string(msg[:sep]), "\r\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(fields) > 0 {
			fields[len(fields)-1] += "\r\n" + line
			continue
		}
		fields = append(fields, line)
	}
	if len(fields) < len(keys) {
		t.Fatalf("%d header fields, want more than %d", len(fields), len(keys))
	}
	var times []string
	skip := 0
	for _, f := range fields[:len(keys)] {
		m := sigTime.FindStringSubmatch(strings.ReplaceAll(f, "\r\n", ""))
		if m == nil {
			t.Fatalf("field %q is not a DKIM-Signature with t=", f)
		}
		times = append(times, m[1])
		skip += len(f) + 2
	}
	fields = fields[len(keys):]

	relaxed := func(f string) string {
		name, value, _ := strings.Cut(f, ":")
		value = strings.NewReplacer("\r\n", "").Replace(value)
		value = whitespace.ReplaceAllString(value, " ")
		return strings.ToLower(strings.TrimRight(name, " \t")) + ":" + strings.Trim(value, " ")
	}
	var names []string
	var signed strings.Builder
	for _, name := range signedHeaders {
		last := ""
		for _, f := range fields {
			if n, _, _ := strings.Cut(f, ":"); strings.EqualFold(n, name) {
				last = f
			}
		}
		if last != "" {
			names = append(names, strings.ToLower(name))
			signed.WriteString(relaxed(last) + "\r\n")
		}
	}
	body := string(msg[sep+4:])
	for strings.HasSuffix(body, "\r\n") {
		body = strings.TrimSuffix(body, "\r\n")
	}
	bh := sha256.Sum256([]byte(body + "\r\n"))

	for i, k := range keys {
		algo := "rsa-sha256"
		if _, ok := k.key.(ed25519.PrivateKey); ok {
			algo = "ed25519-sha256"
		}
		field := fmt.Sprintf("DKIM-Signature: v=1; a=%s; c=relaxed/simple; d=%s; s=%s;\r\n t=%s; h=%s;\r\n bh=%s;\r\n b=",
			algo, domain, k.selector, times[i], strings.Join(names, ":"), base64.StdEncoding.EncodeToString(bh[:]))
		digest := sha256.Sum256([]byte(signed.String() + relaxed(field)))
		var sig []byte
		var err error
		switch key := k.key.(type) {
		case ed25519.PrivateKey:
			sig = ed25519.Sign(key, digest[:])
		case *rsa.PrivateKey:
			sig, err = rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
		}
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, field+base64.StdEncoding.EncodeToString(sig)+"\r\n"...)
	}
	return want, msg[skip:]
}

// TestDKIMSignaturesMatchReference wants every signed message to carry
// exactly the signature fields the plain computation gives for it, and
// to be, after them, the message built without signing: a shortcut in the
// signer that changes what is signed, or the message, fails here even
// when the result would still verify.
func TestDKIMSignaturesMatchReference(t *testing.T) {
	rsaKey, edKey := testKeys(t)
	rsaPath, _ := writeKey(t, rsaKey)
	edPath, _ := writeKey(t, edKey)
	// RSA signing is slow: those runs take every third message.
	for _, tc := range []struct {
		name   string
		cfg    DKIMConfig
		keys   []refKey
		stride int
	}{
		{"ed25519", DKIMConfig{Domain: "example.com", Selector: "ed", KeyFile: edPath}, []refKey{{"ed", edKey}}, 1},
		{"rsa-2048", DKIMConfig{Domain: "example.com", Selector: "rsa", KeyFile: rsaPath}, []refKey{{"rsa", rsaKey}}, 3},
		{"rsa-and-ed25519", DKIMConfig{Domain: "mail.example.com", Selector: "rsa", KeyFile: rsaPath, More: []DKIMKey{{"ed", edPath}}},
			[]refKey{{"rsa", rsaKey}, {"ed", edKey}}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, openSQLite(t), func(c *Config) { c.DKIM = &tc.cfg })
			signer := s.dkim
			n := 0
			for _, c := range append(editions, append(cachedEditions, benchVariant)...) {
				p := s.prepare(c)
				// The second pass merges the same names before the cached
				// literal and other values after it.
				for k, i := range passes(len(stateValues)) {
					if k%tc.stride != 0 {
						continue
					}
					v := stateValues[(i+k/len(stateValues))%len(stateValues)]
					j := &job{id: int64(3000 + n), newsletterID: "2026-W48", address: fmt.Sprintf("r%d@example.com", n),
						name:  stateValues[(i+5)%len(stateValues)],
						merge: map[string]string{"attr.city": v, "name": stateValues[(i+7)%len(stateValues)]}}
					// Every other message has no List-Unsubscribe fields, so
					// it signs fewer fields than the room reserved for.
					if i%2 == 0 {
						j.token = sql.NullString{String: fmt.Sprintf("tok%d", n), Valid: true}
					}
					n++
					for attempt := 0; ; attempt++ {
						s.dkim = signer
						msg, err := s.build(p, j, []byte("kept"))
						if err != nil {
							t.Fatalf("%s / value %d: %v", c.variantID, i, err)
						}
						if !bytes.HasPrefix(msg, []byte("kept")) {
							t.Fatalf("%s / value %d: what was in the buffer before the message is gone", c.variantID, i)
						}
						msg = msg[len("kept"):]
						want, rest := referenceSignatures(t, msg, tc.cfg.Domain, tc.keys)
						if got := msg[:len(msg)-len(rest)]; !bytes.Equal(got, want) {
							t.Fatalf("%s / value %d %q: signature fields\n%s\nwant\n%s", c.variantID, i, trunc(v), got, want)
						}
						s.dkim = nil
						unsigned, err := s.build(p, j, nil)
						s.dkim = signer
						if err != nil {
							t.Fatal(err)
						}
						if bytes.Equal(rest, unsigned) {
							break
						}
						// The two builds may straddle a second (Date, the
						// open pixel's send time); more than once is a fault.
						if attempt == 2 {
							t.Fatalf("%s / value %d: signed message differs from the unsigned one after its signatures:\n%s\nunsigned:\n%s",
								c.variantID, i, rest, unsigned)
						}
					}
				}
			}
		})
	}
}

// stateValues are the hostile values and two that encode the same but
// leave the encoder in different states (the literal after them starts
// with a line feed).
var stateValues = append(hostileValues[:len(hostileValues):len(hostileValues)], "a\r", "a\r\n", "a\n")

// passes returns 0..n-1 twice over.
func passes(n int) []int {
	p := make([]int, 2*n)
	for i := range p {
		p[i] = i % n
	}
	return p
}

// cachedEditions have a long literal after their first merge slot, so
// the body hash state after it is cached, in every shape.
var cachedEditions = func() []content {
	long := strings.Repeat("Static text that every reader of the list gets, with = and ünïcode.\n", 30)
	return []content{
		{variantID: "cached-multipart", subject: "x", preheader: "Hello {{name}}",
			html: "<body>{{name}}\n" + long + "{{attr.city}}</body>", text: "{{name}}\n" + long + "{{attr.city}}"},
		{variantID: "cached-html", subject: "x", html: "<p>{{name}}</p>\n" + long + "{{attr.city}}"},
		{variantID: "cached-text", subject: "x", text: "Hi {{name}}\n" + long + ".{{attr.city}}\n\n"},
	}
}()

// TestDKIMBodyStatesCachedPerMergedStart signs messages that share their
// start up to a long literal and differ after it: one cached state per
// distinct start, each message signed as the reference computes, and the
// cached states really used.
func TestDKIMBodyStatesCachedPerMergedStart(t *testing.T) {
	_, edKey := testKeys(t)
	edPath, _ := writeKey(t, edKey)
	cfg := DKIMConfig{Domain: "example.com", Selector: "ed", KeyFile: edPath}
	s := newTestServer(t, openSQLite(t), func(c *Config) { c.DKIM = &cfg })
	p := s.prepare(cachedEditions[0])
	states := p.prefixes[shapeMultipart].states
	if states == nil {
		t.Fatal("no state cache for a multipart body with a long literal after its first slot")
	}
	build := func(name, city string) (got, want []byte) {
		j := &job{id: 1, newsletterID: "2026-W48", address: "r@example.com", name: "Reader",
			merge: map[string]string{"name": name, "attr.city": city}, token: sql.NullString{String: "tok", Valid: true}}
		msg, err := s.build(p, j, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, rest := referenceSignatures(t, msg, cfg.Domain, []refKey{{"ed", edKey}})
		return msg[:len(msg)-len(rest)], want
	}
	names := []string{"Ann", "Bob", "Zoë", "Ann\r"}
	for _, city := range []string{"Oslo", "Lima", "Kyiv"} {
		for _, name := range names {
			if got, want := build(name, city); !bytes.Equal(got, want) {
				t.Fatalf("%q / %q: signature fields\n%s\nwant\n%s", name, city, got, want)
			}
		}
	}
	if len(states.m) != len(names) {
		t.Errorf("%d cached states for %d distinct starts", len(states.m), len(names))
	}
	// A wrong state in the cache must change the signature: the states
	// are used, not recomputed.
	states.mu.Lock()
	for k := range states.m {
		states.m[k] = p.prefixes[shapeMultipart].state
	}
	states.mu.Unlock()
	if got, want := build("Ann", "Rome"); bytes.Equal(got, want) {
		t.Error("a message signed the same with a wrong cached state")
	}
}
