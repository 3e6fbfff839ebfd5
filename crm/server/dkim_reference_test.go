package server

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
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
		m := regexp.MustCompile(`^DKIM-Signature: .*[; ]t=([0-9]+);`).FindStringSubmatch(strings.ReplaceAll(f, "\r\n", ""))
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
		value = regexp.MustCompile(`[ \t]+`).ReplaceAllString(value, " ")
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
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaPath, _ := writeKey(t, rsaKey)
	edPath, _ := writeKey(t, edKey)
	for _, tc := range []struct {
		name string
		cfg  DKIMConfig
		keys []refKey
	}{
		{"ed25519", DKIMConfig{Domain: "example.com", Selector: "ed", KeyFile: edPath}, []refKey{{"ed", edKey}}},
		{"rsa-2048", DKIMConfig{Domain: "example.com", Selector: "rsa", KeyFile: rsaPath}, []refKey{{"rsa", rsaKey}}},
		{"rsa-and-ed25519", DKIMConfig{Domain: "mail.example.com", Selector: "rsa", KeyFile: rsaPath, More: []DKIMKey{{"ed", edPath}}},
			[]refKey{{"rsa", rsaKey}, {"ed", edKey}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, openSQLite(t), func(c *Config) { c.DKIM = &tc.cfg })
			signer := s.dkim
			n := 0
			for _, c := range append(editions, benchVariant) {
				p := s.prepare(c)
				for i, v := range hostileValues {
					j := &job{id: int64(3000 + n), newsletterID: "2026-W48", address: fmt.Sprintf("r%d@example.com", n),
						name:  hostileValues[(i+5)%len(hostileValues)],
						merge: map[string]string{"attr.city": v, "name": hostileValues[(i+7)%len(hostileValues)]}}
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
