package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/platform"
)

func TestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "platform.db")
	badStats := filepath.Join(t.TempDir(), "stats.json")
	if err := os.WriteFile(badStats, []byte(`{"stats": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", "")
	t.Setenv("PLATFORM_API_KEYS", "")
	tests := []struct {
		name       string
		args       []string
		keys       string
		wantErr    string
		wantStdout string
		wantStderr string
	}{
		{"no command", nil, "", "no command given", "", "Usage: platform"},
		{"unknown command", []string{"publish"}, "", `unknown command "publish"`, "", "Usage: platform"},
		{"help", []string{"-h"}, "", "", "PLATFORM_API_KEYS=dev-key platform serve", ""},
		{"serve help", []string{"serve", "-h"}, "", "", "", "PLATFORM_PUBLIC_URL"},
		{"serve refuses without keys", []string{"serve", "-db", db}, "", "PLATFORM_API_KEYS is empty", "", ""},
		{"bad log level", []string{"serve", "-log-level", "loud"}, "k", `log level "loud"`, "", ""},
		{"bad stats file", []string{"serve", "-db", db, "-stats", badStats}, "k", "want a JSON array", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PLATFORM_API_KEYS", tt.keys)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q", stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
			}
		})
	}
}

func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stats := filepath.Join(t.TempDir(), "stats.json")
	if err := os.WriteFile(stats, []byte(`[{"key":"countries","label":"Countries","value":42}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", "")
	t.Setenv("PLATFORM_API_KEYS", "k1, k2")
	t.Setenv("PLATFORM_PUBLIC_URL", "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "-addr", addr, "-db", filepath.Join(t.TempDir(), "data", "platform.db"),
			"-stats", stats, "-log-format", "json"}, &bytes.Buffer{}, &stderr)
	}()

	client := platform.New(platform.Options{BaseURL: "http://" + addr, APIKey: "k2", Timeout: 5 * time.Second})
	var got []platform.Stat
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got, err = client.Stats(ctx); err == nil {
			break
		}
	}
	if err != nil || len(got) != 1 || got[0].Key != "countries" {
		t.Fatalf("stats from the stats file: %+v %v", got, err)
	}
	req := platform.UpdateRequest{Slug: "hello", Title: "Hello", BodyHTML: "<p>Hi</p>", Edition: "2026-W48"}
	res, err := client.CreateUpdate(ctx, "", req)
	if err != nil || res.URL != "http://"+addr+"/updates/hello" {
		t.Fatalf("publish with the second key: %+v %v, want a URL on the default public URL", res, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after the signal")
	}
	if !strings.Contains(stderr.String(), `"msg":"shutting down"`) {
		t.Errorf("logs:\n%s", stderr.String())
	}
}

// TestServeRefusesPlaceholders checks the Platform will not start with the
// example settings' key.
func TestServeRefusesPlaceholders(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("PLATFORM_API_KEYS", "change-me-platform-key")
	// A server that starts anyway stops after a moment, so the test fails
	// rather than hangs.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "-db", filepath.Join(t.TempDir(), "p.db"), "-addr", "127.0.0.1:0"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PLATFORM_API_KEYS") || !strings.Contains(err.Error(), "change-me") {
		t.Errorf("err = %v, want a refusal naming PLATFORM_API_KEYS", err)
	}
}
