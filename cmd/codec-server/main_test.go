package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"

	"github.com/halcytone/contentgen/codec"
)

func TestCommandLine(t *testing.T) {
	t.Setenv("NEWSLETTER_CODEC_KEYS", "")
	tests := []struct {
		name                          string
		args                          []string
		wantErr, wantStdout, wantHelp string
	}{
		{"help", []string{"-h"}, "", "", `--codec-auth "Bearer`},
		{"no keys", nil, "no keys given", "", ""},
		{"bad key", []string{"-keys", "k1:short"}, `entry 1: key "k1" is not standard base64`, "", ""},
		{"new key", []string{"-new-key", "2026-11"}, "", "2026-11:", ""},
		{"bad new key ID", []string{"-new-key", "a b"}, `key ID "a b"`, "", ""},
		{"example key", []string{"-keys", "change-me:Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMzI="}, `NEWSLETTER_CODEC_KEYS still holds the placeholder "change-me"`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr, nil)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantHelp) {
				t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

func TestServesAndShutsDown(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-new-key", "k1"}, &out, &out, nil); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NEWSLETTER_CODEC_KEYS", strings.TrimSpace(out.String()))
	t.Setenv("CODEC_AUTH_TOKEN", "tok")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, &logs, &logs, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	}
	rc := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint:      "http://" + addr,
		ModifyRequest: func(r *http.Request) error { r.Header.Set("Authorization", "Bearer tok"); return nil },
	})
	in := []*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"reader@example.com"`)}}
	enc, err := rc.Encode(in)
	if err != nil || string(enc[0].Metadata["encoding"]) != codec.EncodingEncrypted {
		t.Fatalf("encode: %v, %v", enc, err)
	}
	dec, err := rc.Decode(enc)
	if err != nil || string(dec[0].Data) != `"reader@example.com"` {
		t.Fatalf("decode: %v, %v", dec, err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(logs.String(), "activeKey=k1") {
		t.Errorf("logs %q do not name the active key", logs.String())
	}
}
