package server

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// writeKey writes key as a PKCS#8 PEM file and returns its path and the
// DNS TXT record that publishes its public half.
func writeKey(t testing.TB, key crypto.Signer) (string, string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	var record string
	switch pub := key.Public().(type) {
	case *rsa.PublicKey:
		der, _ := x509.MarshalPKIXPublicKey(pub)
		record = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		record = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	return path, record
}

// testKeys are an RSA-2048 and an Ed25519 signing key, generated once for
// every test of the package.
func testKeys(t testing.TB) (*rsa.PrivateKey, ed25519.PrivateKey) {
	t.Helper()
	k, err := sharedTestKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k.rsa, k.ed
}

var sharedTestKeys = sync.OnceValues(func() (keys struct {
	rsa *rsa.PrivateKey
	ed  ed25519.PrivateKey
}, err error) {
	if keys.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return keys, err
	}
	_, keys.ed, err = ed25519.GenerateKey(rand.Reader)
	return keys, err
})

func TestDKIMSignaturesVerify(t *testing.T) {
	rsaKey, edKey := testKeys(t)
	for name, key := range map[string]crypto.Signer{"rsa-2048": rsaKey, "ed25519": edKey} {
		t.Run(name, func(t *testing.T) {
			path, record := writeKey(t, key)
			s := newTestServer(t, openSQLite(t), func(c *Config) {
				c.DKIM = &DKIMConfig{Domain: "example.com", Selector: "news2026", KeyFile: path}
			})
			j := &job{id: 7, newsletterID: "2026-W48", address: "reader@example.net", name: "Zoë Reader " + strings.Repeat("Långnamn ", 8), // folded over lines
				merge: map[string]string{"attr.city": ".Oslo\r\nBcc: x"}, token: sql.NullString{String: "tok", Valid: true}}
			msg, err := s.build(s.prepare(editions[0]), j, []byte("prefix kept"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(msg, []byte("prefix keptDKIM-Signature: ")) {
				t.Fatalf("signature not put in front of the message:\n%.200s", msg)
			}
			msg = msg[len("prefix kept"):]
			checkWire(t, msg)
			lookups := 0
			opts := &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
				lookups++
				if domain != "news2026._domainkey.example.com" {
					t.Errorf("key looked up at %s", domain)
				}
				return []string{record}, nil
			}}
			verifs, err := dkim.VerifyWithOptions(bytes.NewReader(msg), opts)
			if err != nil || len(verifs) != 1 || lookups != 1 {
				t.Fatalf("verify: %d signatures, %d lookups, %v", len(verifs), lookups, err)
			}
			v := verifs[0]
			if v.Err != nil || v.Domain != "example.com" {
				t.Fatalf("signature of %s: %v", v.Domain, v.Err)
			}
			for _, h := range []string{"from", "to", "subject", "list-unsubscribe", "list-unsubscribe-post", "message-id"} {
				found := false
				for _, got := range v.HeaderKeys {
					found = found || strings.EqualFold(got, h)
				}
				if !found {
					t.Errorf("header %s not signed (signed: %v)", h, v.HeaderKeys)
				}
			}
			tampered := bytes.Replace(msg, []byte("Static paragraph"), []byte("Static Paragraph"), 1)
			if verifs, err := dkim.VerifyWithOptions(bytes.NewReader(tampered), opts); err != nil || verifs[0].Err == nil {
				t.Errorf("a changed body still verifies (%v)", err)
			}
		})
	}
}

func TestDKIMKeyErrors(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	path, _ := writeKey(t, small)
	notPEM := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(notPEM, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cfg  DKIMConfig
		want string
	}{
		{DKIMConfig{Domain: "example.com", Selector: "s", KeyFile: path}, "2048"},
		{DKIMConfig{Domain: "example.com", Selector: "s", KeyFile: notPEM}, "no PEM block"},
		{DKIMConfig{Domain: "example.com", KeyFile: path}, "selector"},
		{DKIMConfig{Domain: "example.com", Selector: "s", KeyFile: filepath.Join(t.TempDir(), "missing.pem")}, "no such file"},
	} {
		if _, err := newDKIMSigner(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one saying %q", tc.cfg, err, tc.want)
		}
	}
}

func BenchmarkBuildMessageDKIM(b *testing.B) {
	rsaKey, edKey := testKeys(b)
	for name, key := range map[string]crypto.Signer{"ed25519": edKey, "rsa-2048": rsaKey} {
		b.Run(name, func(b *testing.B) {
			path, _ := writeKey(b, key)
			s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), func(c *Config) {
				c.DKIM = &DKIMConfig{Domain: "example.com", Selector: "s", KeyFile: path}
			})
			p := s.prepare(editions[0])
			j := &job{id: 1, newsletterID: "2026-W48", address: "reader@example.com", name: "Reader",
				merge: map[string]string{"attr.city": "Oslo"}, token: sql.NullString{String: "tok", Valid: true}}
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = s.build(p, j, buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The relaxed header canonicalization unfolds and squeezes whitespace as
// RFC 6376 section 3.4.2 shows.
func TestRelaxedHeader(t *testing.T) {
	for in, want := range map[string]string{
		"Subject : Hello   World \t":                      "subject:Hello World",
		"To: =?UTF-8?B?WsO2?=\r\n =?UTF-8?B?ZQ==?= <z@x>": "to:=?UTF-8?B?WsO2?= =?UTF-8?B?ZQ==?= <z@x>",
		"DKIM-Signature: v=1;\r\n\tb=":                    "dkim-signature:v=1; b=",
		"Subject: one plain value":                        "subject:one plain value",
		"X-Lead: \t two":                                  "x-lead:two",
		"X-Trail: a ":                                     "x-trail:a",
		"X-Empty:":                                        "x-empty:",
		"X-Tab: a\tb":                                     "x-tab:a b",
	} {
		if got := string(relaxedHeader(nil, []byte(in))); got != want {
			t.Errorf("relaxedHeader(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDKIMSignaturesVerifyOverMergedMessages signs every edition merged
// with every hostile value, with each key kind and with two keys at
// once, and verifies each message with go-msgauth: the body hash that
// starts from a variant's saved state must equal the hash of the whole
// body.
func TestDKIMSignaturesVerifyOverMergedMessages(t *testing.T) {
	rsaKey, edKey := testKeys(t)
	rsaPath, rsaRecord := writeKey(t, rsaKey)
	edPath, edRecord := writeKey(t, edKey)
	records := map[string]string{"rsa._domainkey.example.com": rsaRecord, "ed._domainkey.example.com": edRecord}
	opts := &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		if r, ok := records[domain]; ok {
			return []string{r}, nil
		}
		return nil, fmt.Errorf("no record at %s", domain)
	}}
	for _, tc := range []struct {
		name string
		cfg  DKIMConfig
		sigs int
	}{
		{"ed25519", DKIMConfig{Domain: "example.com", Selector: "ed", KeyFile: edPath}, 1},
		{"rsa-2048", DKIMConfig{Domain: "example.com", Selector: "rsa", KeyFile: rsaPath}, 1},
		{"rsa-and-ed25519", DKIMConfig{Domain: "example.com", Selector: "rsa", KeyFile: rsaPath, More: []DKIMKey{{"ed", edPath}}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, openSQLite(t), func(c *Config) { c.DKIM = &tc.cfg })
			n, fromState := 0, 0
			for _, c := range editions {
				p := s.prepare(c)
				for i, v := range hostileValues {
					name := hostileValues[(i+5)%len(hostileValues)]
					j := &job{id: int64(2000 + n), newsletterID: "2026-W48", address: fmt.Sprintf("r%d@example.com", n), name: name,
						merge: map[string]string{"attr.city": v, "name": hostileValues[(i+7)%len(hostileValues)]},
						token: sql.NullString{String: fmt.Sprintf("tok%d", n), Valid: true}}
					n++
					msg, err := s.build(p, j, nil)
					if err != nil {
						t.Fatalf("%s / value %d: %v", c.variantID, i, err)
					}
					verifs, err := dkim.VerifyWithOptions(bytes.NewReader(msg), opts)
					if err != nil || len(verifs) != tc.sigs {
						t.Fatalf("%s / value %d: %d signatures, want %d: %v", c.variantID, i, len(verifs), tc.sigs, err)
					}
					for _, vf := range verifs {
						if vf.Err != nil {
							t.Fatalf("%s / value %d %q: %v\n%s", c.variantID, i, trunc(v), vf.Err, msg)
						}
					}
					body := msg[bytes.Index(msg, []byte("\r\n\r\n"))+4:]
					if bytes.Contains(msg, []byte("Content-Type: multipart/alternative")) {
						pre := p.prefixes[shapeMultipart].bytes
						if len(pre) == 0 || !bytes.HasPrefix(body, pre) {
							t.Fatalf("%s / value %d: the body does not start with its variant's static start %q", c.variantID, i, trunc(string(pre)))
						}
						fromState++
					}
				}
			}
			if fromState < n/2 {
				t.Errorf("%d of %d bodies hashed from a saved state; want every multipart one", fromState, n)
			}
		})
	}
}

// TestBodyHashFromSavedState compares the body hash from a saved state
// with the whole body's, including bodies whose canonical form ends
// inside the saved start.
func TestBodyHashFromSavedState(t *testing.T) {
	for _, tc := range []struct{ prefix, body string }{
		{"--b\r\nContent-Type: text/plain\r\n\r\nHi ", "--b\r\nContent-Type: text/plain\r\n\r\nHi Ann\r\n\r\n\r\n"},
		{"static\r\n", "static\r\n\r\n\r\n"},
		{"static\r\n\r\n", "static\r\n\r\n"},
		{"static", "other"},
		{"", ""},
		{"x", ""},
		{strings.Repeat("a", 200), strings.Repeat("a", 300) + "\r\n"},
	} {
		var whole, from [32]byte
		sc := &signScratch{body: sha256.New()}
		(*bodyPrefix)(nil).bodyHash(sc, []byte(tc.body), literalSpan{}, &whole)
		p := newBodyPrefix([]byte(tc.prefix), -1)
		p.bodyHash(sc, []byte(tc.body), literalSpan{}, &from)
		canon := strings.TrimRight(tc.body, "\r\n") + "\r\n"
		if want := sha256.Sum256([]byte(canon)); whole != want || from != want {
			t.Errorf("prefix %q, body %q: hash from saved state %x, whole %x, want %x", tc.prefix, tc.body, from[:4], whole[:4], want[:4])
		}
	}
}
