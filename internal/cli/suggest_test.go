package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/ai/suggest"
)

func suggestEnv(vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &Env{Lookup: func(k string) string { return vars[k] }, Stdout: &out, Stderr: &errOut}, &out, &errOut
}

func TestSuggestPrintsAndWritesJSON(t *testing.T) {
	fake := &aifake.Server{Key: "sk-local"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	e, out, _ := suggestEnv(map[string]string{
		"AI_MODEL": "llama3.1", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-local",
		"AI_CACHE_DIR": filepath.Join(dir, "cache"),
	})
	err := Run(context.Background(), e, []string{"suggest", "--source", "markdown:../../examples/living-document.md",
		"--edition", "2026-W48", "--out", filepath.Join(dir, "edition"), "--json"})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"model llama3.1: 7 requests, 0 from cache", "subject:2\n  now:     Halcytone Weekly",
		"suggest: Three things to try before bed tonight", "summary.hardware", "social.x (", "plain-language check:", "jargon"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "edition", "suggestions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s suggest.Suggestions
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if x, ok := s.Find("subject:2"); !ok || x.Text != "Three things to try before bed tonight" || s.Usage.Requests != 7 {
		t.Errorf("suggestions.json: %+v", s)
	}
	for _, f := range []string{"email.html", "social.x.txt", "suggestions.txt"} {
		if _, err := os.Stat(filepath.Join(dir, "edition", f)); err != nil {
			t.Errorf("--out: %v", err)
		}
	}

	// A second run is served from the cache folder.
	e, out, _ = suggestEnv(map[string]string{"AI_MODEL": "llama3.1", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-local", "AI_CACHE_DIR": filepath.Join(dir, "cache")})
	if err := Run(context.Background(), e, []string{"suggest", "--source", "markdown:../../examples/living-document.md", "--edition", "2026-W48"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 requests, 7 from cache") || len(fake.Requests()) != 7 {
		t.Errorf("second run sent %d requests in all:\n%s", len(fake.Requests()), out.String())
	}
}

func TestSuggestWithoutModelIsOff(t *testing.T) {
	fake := &aifake.Server{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	e, _, _ := suggestEnv(map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk"})
	err := Run(context.Background(), e, []string{"suggest", "--source", "markdown:../../examples/living-document.md"})
	if err == nil || !strings.Contains(err.Error(), "AI is off: set AI_MODEL") {
		t.Errorf("err = %v, want AI is off", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests left the machine with AI off", n)
	}
}

func TestSuggestWrongKeySaysSo(t *testing.T) {
	fake := &aifake.Server{Key: "sk-right"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	e, _, _ := suggestEnv(map[string]string{"AI_MODEL": "m", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-wrong", "AI_CACHE_DIR": t.TempDir()})
	err := Run(context.Background(), e, []string{"suggest", "--source", "markdown:../../examples/living-document.md"})
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("err = %v", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestSuggestCachesInTheArtifactStore: without AI_CACHE_DIR the replies
// are cached in the artifact store the workers share, so a second run
// against the same store asks the model nothing.
func TestSuggestCachesInTheArtifactStore(t *testing.T) {
	fake := &aifake.Server{Key: "sk-local"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	store := filepath.Join(t.TempDir(), "artifacts")
	vars := map[string]string{"AI_MODEL": "llama3.1", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-local", "ARTIFACT_STORE_URL": store}
	for i, want := range []string{"7 requests, 0 from cache", "0 requests, 7 from cache"} {
		e, out, _ := suggestEnv(vars)
		if err := Run(context.Background(), e, []string{"suggest", "--source", "markdown:../../examples/living-document.md", "--edition", "2026-W48"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("run %d: want %q:\n%.300s", i+1, want, out.String())
		}
	}
	if n := len(fake.Requests()); n != 7 {
		t.Errorf("%d requests in all, want 7", n)
	}
	entries, err := os.ReadDir(filepath.Join(store, "cache", "ai-replies"))
	if err != nil || len(entries) < 7 {
		t.Errorf("the store's ai-replies cache holds %d entries (%v), want 7 replies", len(entries), err)
	}
}
