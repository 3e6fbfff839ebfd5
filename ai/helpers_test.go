package ai

import (
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/halcytone/contentgen/ai/aifake"
	"github.com/halcytone/contentgen/ai/suggest"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

// testEdition parses and renders the example living document.
func testEdition(t *testing.T) Edition {
	t.Helper()
	src, err := os.ReadFile("../examples/living-document.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := markdown.Convert(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(p, render.Edition{ID: "2026-W48", Date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), WebBaseURL: "https://halcytone.example"})
	if err != nil {
		t.Fatal(err)
	}
	return Edition{ID: "2026-W48", Parsed: p, Output: out}
}

// fakeModel starts the fake server and an OpenAI client pointed at it
// over plain http://127.0.0.1.
func fakeModel(t *testing.T, key string) (*aifake.Server, *OpenAI) {
	t.Helper()
	fake, url := newFake(t, key)
	m, err := NewOpenAI(Options{BaseURL: url, APIKey: key, Model: "test-model", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return fake, m
}

// newFake starts the fake server; the URL is its API root.
func newFake(t *testing.T, key string) (*aifake.Server, string) {
	t.Helper()
	fake := &aifake.Server{Key: key}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL + "/v1"
}

func testTasks(t *testing.T) []suggest.Task {
	t.Helper()
	p, err := LoadPrompts("")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := p.Plan(testEdition(t))
	if err != nil {
		t.Fatal(err)
	}
	return tasks
}

func taskByID(t *testing.T, tasks []suggest.Task, id string) suggest.Task {
	t.Helper()
	for _, x := range tasks {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("no task %s", id)
	return suggest.Task{}
}
