package codec_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/halcytone/contentgen/codec"
)

const (
	testToken = "codec-token"
	uiOrigin  = "http://localhost:8233"
)

func newCodecServer(t *testing.T, k *codec.Keyring) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(codec.Handler(codec.NewCodec(k), codec.HandlerOptions{
		AuthToken: testToken, AllowOrigins: []string{uiOrigin + "/", "https://temporal.example.com"},
	}))
	t.Cleanup(srv.Close)
	return srv
}

// remote is the SDK's client for a codec server, as the CLI uses it.
func remote(url, auth string) converter.PayloadCodec {
	return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: url,
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("X-Namespace", "default")
			if auth != "" {
				r.Header.Set("Authorization", auth)
			}
			return nil
		},
	})
}

func TestHandlerRoundTrip(t *testing.T) {
	keys := mustKeys(t, "k1:"+keyB64(1))
	srv := newCodecServer(t, keys)
	rc := remote(srv.URL, "Bearer "+testToken)
	in := []*commonpb.Payload{plainPayload(t, secret), plainPayload(t, 42)}

	enc, err := rc.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(enc[0].Metadata["encoding"]) != codec.EncodingEncrypted || bytes.Contains(enc[0].Data, []byte(secret)) {
		t.Fatalf("remote encode returned %v", enc[0])
	}
	local, err := codec.NewCodec(keys).Decode(enc)
	if err != nil {
		t.Fatalf("server-encrypted payloads do not decode locally: %v", err)
	}
	dec, err := rc.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !proto.Equal(dec[i], in[i]) || !proto.Equal(local[i], in[i]) {
			t.Errorf("payload %d: remote %v local %v, want %v", i, dec[i], local[i], in[i])
		}
	}

	other := codec.NewCodec(mustKeys(t, "elsewhere:"+keyB64(9)))
	foreign, _ := other.Encode(in[:1])
	if _, err := rc.Decode(foreign); err == nil || !strings.Contains(err.Error(), `key "elsewhere", which is not in the keyring`) {
		t.Errorf("unknown key through the server: %v", err)
	}
}

func TestHandlerAuth(t *testing.T) {
	srv := newCodecServer(t, mustKeys(t, "k1:"+keyB64(1)))
	payloads := []*commonpb.Payload{plainPayload(t, secret)}
	tests := []struct {
		name, auth string
		ok         bool
	}{
		{"token", "Bearer " + testToken, true},
		{"no header", "", false},
		{"wrong token", "Bearer nope", false},
		{"bare token", testToken, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := remote(srv.URL, tt.auth).Decode(payloads)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok && !strings.Contains(err.Error(), "Unauthorized") {
				t.Errorf("err = %v, want 401", err)
			}
		})
	}
}

func TestHandlerCORS(t *testing.T) {
	srv := newCodecServer(t, mustKeys(t, "k1:"+keyB64(1)))
	tests := []struct {
		name, method, path, origin string
		wantStatus                 int
		wantAllow                  bool
	}{
		{"preflight from the Web UI", http.MethodOptions, "/decode", uiOrigin, http.StatusNoContent, true},
		{"preflight from a listed origin", http.MethodOptions, "/encode", "https://temporal.example.com", http.StatusNoContent, true},
		{"preflight from another origin", http.MethodOptions, "/decode", "https://evil.example", http.StatusForbidden, false},
		{"401 still readable by the UI", http.MethodPost, "/decode", uiOrigin, http.StatusUnauthorized, true},
		{"another origin refused", http.MethodPost, "/decode", "https://evil.example", http.StatusForbidden, false},
		{"GET is not served", http.MethodGet, "/decode", uiOrigin, http.StatusMethodNotAllowed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(`{"payloads":[]}`))
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := h.Get("Access-Control-Allow-Origin"); (got == tt.origin) != tt.wantAllow || got == "*" {
				t.Errorf("Allow-Origin %q for origin %q, want allowed=%v", got, tt.origin, tt.wantAllow)
			}
			if tt.wantAllow && h.Get("Access-Control-Allow-Credentials") != "true" {
				t.Error("credentials not allowed")
			}
			if tt.method == http.MethodOptions && tt.wantAllow {
				for _, want := range []string{"Content-Type", "X-Namespace", "Authorization"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
						t.Errorf("Allow-Headers %q lacks %s", h.Get("Access-Control-Allow-Headers"), want)
					}
				}
			}
		})
	}
}

func TestHandlerWithoutToken(t *testing.T) {
	srv := httptest.NewServer(codec.Handler(codec.NewCodec(mustKeys(t, "k1:"+keyB64(1))), codec.HandlerOptions{MaxBodyBytes: 1 << 10}))
	defer srv.Close()
	rc := remote(srv.URL, "")
	if _, err := rc.Encode([]*commonpb.Payload{plainPayload(t, secret)}); err != nil {
		t.Errorf("no token configured: %v", err)
	}
	big := plainPayload(t, strings.Repeat("x", 4<<10))
	if _, err := rc.Encode([]*commonpb.Payload{big}); err == nil {
		t.Error("a body over MaxBodyBytes was accepted")
	}
}

// TestHandlerChecksHostAndOrigin checks a request reaches the codec only
// when its Host is allowed (a DNS-rebinding page's Host is its own name)
// and its Origin, when it has one, is allowed; with no token configured
// either would otherwise decrypt payloads for a foreign page.
func TestHandlerChecksHostAndOrigin(t *testing.T) {
	k := mustKeys(t, "k1:"+keyB64(1))
	enc, err := codec.NewCodec(k).Encode([]*commonpb.Payload{plainPayload(t, secret)})
	if err != nil {
		t.Fatal(err)
	}
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: enc})
	if err != nil {
		t.Fatal(err)
	}
	open := httptest.NewServer(codec.Handler(codec.NewCodec(k), codec.HandlerOptions{AllowOrigins: []string{uiOrigin}}))
	defer open.Close()
	named := httptest.NewServer(codec.Handler(codec.NewCodec(k), codec.HandlerOptions{AllowOrigins: []string{uiOrigin}, AllowHosts: []string{"codec.example.com"}}))
	defer named.Close()
	tests := []struct {
		name, url, host, origin string
		want                    int
	}{
		{"CLI on loopback", open.URL, "", "", http.StatusOK},
		{"localhost with a port", open.URL, "localhost:8234", "", http.StatusOK},
		{"Web UI origin", open.URL, "localhost:8234", uiOrigin, http.StatusOK},
		{"IPv6 loopback", open.URL, "[::1]:8234", "", http.StatusOK},
		{"rebound name", open.URL, "attacker.example:8234", "", http.StatusForbidden},
		{"rebound name, same origin", open.URL, "attacker.example:8234", "http://attacker.example:8234", http.StatusForbidden},
		{"foreign origin", open.URL, "localhost:8234", "https://attacker.example", http.StatusForbidden},
		{"configured name", named.URL, "codec.example.com", "", http.StatusOK},
		{"configured name, any port", named.URL, "CODEC.example.com:443", "", http.StatusOK},
		{"loopback not configured", named.URL, "localhost:8234", "", http.StatusForbidden},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodPost, tt.url+"/decode", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Namespace", "default")
		if tt.host != "" {
			req.Host = tt.host
		}
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		_, _ = out.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, resp.StatusCode, tt.want, out.String())
		}
		if tt.want != http.StatusOK && strings.Contains(out.String(), "payloads") {
			t.Errorf("%s: refused reply carries payloads: %s", tt.name, out.String())
		}
	}
}
