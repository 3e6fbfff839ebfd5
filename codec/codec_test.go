package codec_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/halcytone/contentgen/codec"
)

const secret = "reader@example.com"

// keyB64 is a deterministic 32-byte key for tests.
func keyB64(fill byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{fill}, codec.KeySize))
}

func mustKeys(t testing.TB, spec string) *codec.Keyring {
	t.Helper()
	k, err := codec.ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func plainPayload(t testing.TB, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseKeys(t *testing.T) {
	tests := []struct {
		name, spec, wantErr string
		wantIDs             []string
	}{
		{"one key", "k1:" + keyB64(1), "", []string{"k1"}},
		{"rotation keeps order", "new:" + keyB64(2) + ", old:" + keyB64(1), "", []string{"new", "old"}},
		{"empty entries skipped", ",k1:" + keyB64(1) + ",", "", []string{"k1"}},
		{"empty spec", "", "no keys given", nil},
		{"missing colon", "k1" + keyB64(1), `entry 1: want "id:base64key"`, nil},
		{"empty id", ":" + keyB64(1), `entry 1: want "id:base64key"`, nil},
		{"bad id", "k 1:" + keyB64(1), `entry 1: key ID "k 1"`, nil},
		{"not base64", "k1:" + keyB64(1) + ",k2:***", `entry 2: key "k2" is not standard base64`, nil},
		{"short key", "k1:" + base64.StdEncoding.EncodeToString([]byte("short")), `key "k1" is 5 bytes; AES-256 needs 32`, nil},
		{"duplicate id", "k1:" + keyB64(1) + ",k1:" + keyB64(2), `entry 2: key ID "k1" appears twice`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := codec.ParseKeys(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), keyB64(1)) {
					t.Errorf("error quotes key material: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := k.IDs(); strings.Join(got, ",") != strings.Join(tt.wantIDs, ",") || k.ActiveID() != tt.wantIDs[0] {
				t.Errorf("IDs %v active %q, want %v", got, k.ActiveID(), tt.wantIDs)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	c := codec.NewCodec(mustKeys(t, "k1:"+keyB64(1)))
	in := []*commonpb.Payload{plainPayload(t, map[string]string{"to": secret}), plainPayload(t, nil), plainPayload(t, []byte{0, 1, 2})}
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range enc {
		md := p.GetMetadata()
		if string(md["encoding"]) != codec.EncodingEncrypted || string(md["encryption-key-id"]) != "k1" || string(md["encryption-cipher"]) != "AES256-GCM" {
			t.Errorf("payload %d metadata = %q", i, md)
		}
		if bytes.Contains(p.Data, []byte(secret)) || bytes.Contains(p.Data, []byte("json/plain")) {
			t.Errorf("payload %d leaks plaintext", i)
		}
	}
	again, _ := c.Encode(in)
	if bytes.Equal(again[0].Data, enc[0].Data) {
		t.Error("two encryptions are identical; nonces must be random")
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !proto.Equal(dec[i], in[i]) {
			t.Errorf("payload %d = %v, want %v", i, dec[i], in[i])
		}
	}
}

func TestDataConverter(t *testing.T) {
	dc := codec.DataConverter(mustKeys(t, "k1:"+keyB64(1)))
	p, err := dc.ToPayload(struct{ To string }{secret})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(p.Data, []byte(secret)) {
		t.Fatal("data converter wrote plaintext")
	}
	var out struct{ To string }
	if err := dc.FromPayload(p, &out); err != nil || out.To != secret {
		t.Fatalf("FromPayload = %+v, %v", out, err)
	}
}

func TestRotation(t *testing.T) {
	old := codec.NewCodec(mustKeys(t, "2026-01:"+keyB64(1)))
	enc, err := old.Encode([]*commonpb.Payload{plainPayload(t, secret)})
	if err != nil {
		t.Fatal(err)
	}
	rotated := codec.NewCodec(mustKeys(t, "2026-02:"+keyB64(2)+",2026-01:"+keyB64(1)))
	dec, err := rotated.Decode(enc)
	if err != nil {
		t.Fatalf("old payload after rotation: %v", err)
	}
	if !bytes.Contains(dec[0].Data, []byte(secret)) {
		t.Errorf("decoded %q", dec[0].Data)
	}
	fresh, _ := rotated.Encode(dec)
	if id := string(fresh[0].Metadata["encryption-key-id"]); id != "2026-02" {
		t.Errorf("new payloads use key %q, want the active 2026-02", id)
	}
	if _, err := old.Decode(fresh); err == nil || !strings.Contains(err.Error(), `key "2026-02", which is not in the keyring`) {
		t.Errorf("old keyring on new payload: %v", err)
	}
}

func TestDecodeFailures(t *testing.T) {
	keys := mustKeys(t, "k1:"+keyB64(1)+",k2:"+keyB64(2))
	c := codec.NewCodec(keys)
	tests := []struct {
		name    string
		edit    func(p *commonpb.Payload)
		wantErr string
	}{
		{"tampered ciphertext", func(p *commonpb.Payload) { p.Data[len(p.Data)-20] ^= 1 }, "ciphertext or key ID was altered"},
		{"tampered nonce", func(p *commonpb.Payload) { p.Data[0] ^= 1 }, "ciphertext or key ID was altered"},
		{"relabelled key ID", func(p *commonpb.Payload) { p.Metadata["encryption-key-id"] = []byte("k2") }, `key "k2": ciphertext or key ID was altered`},
		{"unknown key ID", func(p *commonpb.Payload) { p.Metadata["encryption-key-id"] = []byte("2025-old") },
			`encrypted with key "2025-old", which is not in the keyring (have k1, k2); add "2025-old:<base64 key>"`},
		{"unknown cipher", func(p *commonpb.Payload) { p.Metadata["encryption-cipher"] = []byte("ROT13") }, `cipher "ROT13" is not supported`},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:10] }, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := c.Encode([]*commonpb.Payload{plainPayload(t, secret)})
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(enc[0])
			if _, err := c.Decode(enc); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestPlaintextPassesThrough(t *testing.T) {
	c := codec.NewCodec(mustKeys(t, "k1:"+keyB64(1)))
	in := []*commonpb.Payload{
		plainPayload(t, secret),
		{Metadata: map[string][]byte{"encoding": []byte("binary/zlib")}, Data: []byte{1, 2}},
		{},
	}
	out, err := c.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("payload %d was changed", i)
		}
	}
}

func TestNewKey(t *testing.T) {
	entry, err := codec.NewKey("2026-03")
	if err != nil {
		t.Fatal(err)
	}
	k := mustKeys(t, entry)
	if k.ActiveID() != "2026-03" {
		t.Errorf("active %q", k.ActiveID())
	}
	if _, err := codec.NewKey("bad id"); err == nil {
		t.Error("NewKey accepted an invalid ID")
	}
}
