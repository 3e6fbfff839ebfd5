package token_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/approvals/token"
)

func keys(t *testing.T, spec string) *token.Keyring {
	t.Helper()
	k, err := token.ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEntry(t *testing.T, id string) string {
	t.Helper()
	e, err := token.NewKey(id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func claims() token.Claims {
	return token.Claims{WorkflowID: "newsletter-2026-W49", RunID: "run-1", Edition: "2026-W49", Revision: "abc123",
		Approver: "ana@example.com", Action: token.ActionApprove, Expires: now.Add(time.Hour).Unix()}
}

func TestMintVerify(t *testing.T) {
	k := keys(t, newEntry(t, "k1"))
	tok, err := k.Mint(claims())
	if err != nil {
		t.Fatal(err)
	}
	c, keyID, err := k.Verify(tok, now)
	if err != nil {
		t.Fatal(err)
	}
	want := claims()
	want.Nonce = c.Nonce
	if c != want || keyID != "k1" || c.Nonce == "" {
		t.Errorf("claims %+v key %q, want %+v k1", c, keyID, want)
	}
	other, _ := k.Mint(claims())
	if other == tok {
		t.Error("two tokens for the same claims are equal; each must be single-use")
	}
	if strings.ContainsAny(tok, " '\"&?/+=") {
		t.Errorf("token %q needs quoting in a URL or a shell", tok)
	}
}

func TestVerifyRefuses(t *testing.T) {
	k := keys(t, newEntry(t, "k1"))
	tok, _ := k.Mint(claims())
	parts := strings.Split(tok, ".")

	// Claims rewritten to another approver, signature kept.
	var c token.Claims
	body, _ := base64.RawURLEncoding.DecodeString(parts[2])
	_ = json.Unmarshal(body, &c)
	c.Approver = "mallory@example.com"
	body, _ = json.Marshal(c)
	altered := strings.Join([]string{parts[0], parts[1], base64.RawURLEncoding.EncodeToString(body), parts[3]}, ".")

	otherKey, _ := keys(t, "k1:"+strings.SplitN(newEntry(t, "x"), ":", 2)[1]).Mint(claims())
	unknownKey, _ := keys(t, newEntry(t, "k9")).Mint(claims())

	tests := []struct{ name, tok, kind string }{
		{"altered claims", altered, token.Forged},
		{"same key ID, other secret", otherKey, token.Forged},
		{"unknown key ID", unknownKey, token.Forged},
		{"truncated", tok[:len(tok)-4], token.Forged},
		{"garbage", "hello", token.Malformed},
		{"bad base64", "v1.k1.***.***", token.Malformed},
		{"wrong version", "v0." + strings.Join(parts[1:], "."), token.Malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := k.Verify(tt.tok, now)
			if token.KindOf(err) != tt.kind {
				t.Errorf("Verify: %v (kind %q), want %s", err, token.KindOf(err), tt.kind)
			}
		})
	}
	if _, _, err := k.Verify(tok, now.Add(time.Hour)); token.KindOf(err) != token.Expired {
		t.Errorf("at the deadline: %v, want expired", err)
	}
}

func TestRotation(t *testing.T) {
	oldEntry, newE := newEntry(t, "2026-01"), newEntry(t, "2026-02")
	old := keys(t, oldEntry)
	tok, _ := old.Mint(claims())
	rotated := keys(t, newE+","+oldEntry)
	if rotated.ActiveID() != "2026-02" {
		t.Fatalf("active %q", rotated.ActiveID())
	}
	if _, keyID, err := rotated.Verify(tok, now); err != nil || keyID != "2026-01" {
		t.Errorf("token of the older key after rotation: key %q, %v", keyID, err)
	}
	fresh, _ := rotated.Mint(claims())
	if !strings.HasPrefix(fresh, "v1.2026-02.") {
		t.Errorf("new token %q not signed with the active key", fresh)
	}
	if _, _, err := keys(t, newE).Verify(tok, now); token.KindOf(err) != token.Forged {
		t.Errorf("token of a retired key: %v, want forged", err)
	}
}

func TestMintNeedsBindings(t *testing.T) {
	k := keys(t, newEntry(t, "k1"))
	c := claims()
	c.Revision = ""
	if _, err := k.Mint(c); err == nil {
		t.Error("minted a token with no revision")
	}
	c = claims()
	c.Action = "publish"
	if _, err := k.Mint(c); err == nil || !strings.Contains(err.Error(), "unknown action") {
		t.Errorf("unknown action: %v", err)
	}
}

func TestParseKeysErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("short"))
	for spec, want := range map[string]string{
		"":            "no keys given",
		"k1:" + short: `key "k1" is 5 bytes; an HMAC-SHA256 signing key needs 32`,
		"k1":          `want "id:base64key"`,
	} {
		_, err := token.ParseKeys(spec)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "APPROVAL_SIGNING_KEYS") {
			t.Errorf("ParseKeys(%q) = %v, want %q", spec, err, want)
		}
	}
}

func TestInspectDoesNotTrust(t *testing.T) {
	k := keys(t, newEntry(t, "k1"))
	tok, _ := k.Mint(claims())
	c, err := token.Inspect(tok)
	if err != nil || c.Approver != "ana@example.com" {
		t.Errorf("Inspect: %+v %v", c, err)
	}
}
