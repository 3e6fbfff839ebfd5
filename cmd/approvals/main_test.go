package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/approvals/token"
)

func TestNewKeyPrintsAUsableEntry(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"new-key", "2026-12"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	k, err := token.ParseKeys(strings.TrimSpace(out.String()))
	if err != nil || k.ActiveID() != "2026-12" {
		t.Fatalf("new-key printed %q: %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"new-key", "bad id"}, &out, &errOut); err == nil {
		t.Error("new-key accepted an invalid ID")
	}
}

func TestServeNeedsKeys(t *testing.T) {
	t.Setenv("APPROVAL_SIGNING_KEYS", "")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "APPROVAL_SIGNING_KEYS") {
		t.Fatalf("serve without keys: %v", err)
	}
	t.Setenv("APPROVAL_SIGNING_KEYS", "change-me:Y2hhbmdlLW1lLWFwcHJvdmFsLXNpZ25pbmcta2V5ISE=")
	if err := run(context.Background(), []string{"serve"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "placeholder") {
		t.Fatalf("serve with the example key: %v", err)
	}
	t.Setenv("APPROVAL_SIGNING_KEYS", "k1:short")
	if err := run(context.Background(), []string{"serve"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Fatalf("serve with a bad key: %v", err)
	}
}

func TestServeNeedsAReadableArtifactStore(t *testing.T) {
	entry, err := token.NewKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("APPROVAL_SIGNING_KEYS", entry)
	t.Setenv("NEWSLETTER_CODEC_KEYS", "")
	t.Setenv("ARTIFACT_STORE_URL", "nosuchscheme://bucket")
	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "ARTIFACT_STORE_URL") {
		t.Fatalf("serve with an unknown store: %v", err)
	}
	t.Setenv("ARTIFACT_STORE_URL", t.TempDir())
	t.Setenv("NEWSLETTER_CODEC_KEYS", "k1:short")
	if err := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "NEWSLETTER_CODEC_KEYS") {
		t.Fatalf("serve with bad codec keys: %v", err)
	}
}
