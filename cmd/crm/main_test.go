package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("email,name\nok@example.com,Ok\nnope,No\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", "")
	t.Setenv("CRM_API_KEYS", "")
	tests := []struct {
		name       string
		args       []string
		wantErr    string
		wantStdout string
		wantStderr string
	}{
		{"no command", nil, "no command given", "", "Usage: crm"},
		{"unknown command", []string{"send"}, `unknown command "send"`, "", "Usage: crm"},
		{"help", []string{"-h"}, "", "crm import --file examples/contacts.csv", ""},
		{"serve help", []string{"serve", "-h"}, "", "", "CRM_API_KEYS"},
		{"serve refuses without keys", []string{"serve", "-db", db}, "CRM_API_KEYS is empty", "", ""},
		{"import needs a file", []string{"import", "-db", db}, "--file is required", "", ""},
		{"import", []string{"import", "--file", "../../examples/contacts.csv", "-db", db}, "", "12 imported, 0 updated, 0 skipped", ""},
		{"re-import updates", []string{"import", "--file", "../../examples/contacts.csv", "-db", db}, "", "0 imported, 12 updated", ""},
		{"seed needs a count", []string{"seed", "-db", db}, "--generate must be a positive number", "", "Usage: crm seed"},
		{"seed", []string{"seed", "--generate", "25", "-db", db}, "", "seeded 25 contacts (0 already present)", ""},
		{"seed again skips present contacts", []string{"seed", "--generate", "30", "-db", db}, "", "seeded 5 contacts (25 already present)", ""},
		{"bad rows fail the import", []string{"import", "--file", bad, "-db", db}, "1 rows skipped", "1 imported", `line 3: email "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
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

func TestServeShutsDownGracefully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("DATABASE_URL", "")
	t.Setenv("CRM_API_KEYS", "k1, k2")
	t.Setenv("CRM_DELIVERY_MODE", "log")
	t.Setenv("TRACKING_SIGNING_KEYS", "a-tracking-key-for-tests")
	t.Setenv("METRICS_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "-addr", addr, "-db", filepath.Join(t.TempDir(), "crm.db"), "-log-format", "json"}, &bytes.Buffer{}, &stderr)
	}()
	url := fmt.Sprintf("http://%s/api/v1/recipients", addr)
	var status int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer k2")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			status = resp.StatusCode
			break
		}
	}
	if status != http.StatusOK {
		t.Fatalf("recipients with the second key: %d", status)
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
	if !strings.Contains(stderr.String(), `"msg":"shutting down"`) || !strings.Contains(stderr.String(), `"msg":"metrics listening"`) {
		t.Errorf("logs:\n%s", stderr.String())
	}
}

// TestServeRefusesPlaceholders checks the CRM will not start with the
// example settings' keys, and says which variable to change.
func TestServeRefusesPlaceholders(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	for _, env := range [][2]string{
		{"CRM_API_KEYS", "change-me-crm-key"},
		{"CRM_SIGNING_SECRETS", "real-secret,Change-Me-too"},
		{"TRACKING_SIGNING_KEYS", "change-me-tracking-key"},
		{"DATABASE_URL", "postgres://crm:change-me-crm-db@127.0.0.1:1/crm"},
	} {
		t.Setenv("CRM_API_KEYS", "a-real-key")
		t.Setenv("CRM_SIGNING_SECRETS", "")
		t.Setenv("TRACKING_SIGNING_KEYS", "")
		t.Setenv("DATABASE_URL", "")
		t.Setenv(env[0], env[1])
		var stderr bytes.Buffer
		// A server that starts anyway stops after a moment, so the test fails
		// rather than hangs.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := run(ctx, []string{"serve", "-db", db, "-addr", "127.0.0.1:0"}, io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error(), env[0]) || !strings.Contains(err.Error(), "change-me") {
			t.Errorf("%s=%s: err = %v, want a refusal naming %s", env[0], env[1], err, env[0])
		}
	}
}

// TestServeTrackingSettings checks tracking needs its signing key unless
// turned off, and bad values are refused by name.
func TestServeTrackingSettings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	for _, tt := range []struct {
		env     map[string]string
		wantErr string
	}{
		{map[string]string{}, "TRACKING_SIGNING_KEYS"},
		{map[string]string{"TRACKING": "sometimes"}, `TRACKING="sometimes"`},
		{map[string]string{"TRACKING_INDIVIDUAL": "yes please", "TRACKING_SIGNING_KEYS": "a-tracking-key-for-tests"}, "TRACKING_INDIVIDUAL"},
		{map[string]string{"TRACKING_OPENS": "2", "TRACKING_SIGNING_KEYS": "a-tracking-key-for-tests"}, "TRACKING_OPENS"},
		{map[string]string{"TRACKING_SIGNING_KEYS": "short"}, "shorter than 16"},
	} {
		t.Setenv("CRM_API_KEYS", "a-real-key")
		t.Setenv("DATABASE_URL", "")
		for _, k := range []string{"TRACKING", "TRACKING_INDIVIDUAL", "TRACKING_OPENS", "TRACKING_SIGNING_KEYS"} {
			t.Setenv(k, tt.env[k])
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := run(ctx, []string{"serve", "-db", db, "-addr", "127.0.0.1:0"}, io.Discard, io.Discard)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: err = %v, want one naming %s", tt.env, err, tt.wantErr)
		}
	}
}

func TestParseRetention(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "7d": 7 * 24 * time.Hour, " 36h ": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := parseRetention(v); err != nil || got != want {
			t.Errorf("parseRetention(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"0d", "-1h", "week", "7days", "0"} {
		if _, err := parseRetention(v); err == nil || !strings.Contains(err.Error(), "CRM_IDEMPOTENCY_RETENTION") {
			t.Errorf("parseRetention(%q) = %v; want an error naming the variable", v, err)
		}
	}
}
