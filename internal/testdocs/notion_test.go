package testdocs_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/internal/testdocs"
	"github.com/halcytone/contentgen/sources/notion"
)

// TestNotionPageReadsThroughTheRealSource checks the fake against the
// Notion source: every block arrives, over many paginated requests.
func TestNotionPageReadsThroughTheRealSource(t *testing.T) {
	page := testdocs.NewNotionPage("5f8c2b1e-3d4a-4b6c-8e7f-9a0b1c2d3e4f", "ntn_test", 200<<10)
	srv := httptest.NewServer(page)
	t.Cleanup(srv.Close)
	src, err := notion.New(notion.Options{Token: "ntn_test", BaseURL: srv.URL, RequestsPerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := src.Fetch(context.Background(), page.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	text := len(content.PlainText(doc.Blocks))
	if text < 200<<10 || len(p.Sections) != 4 || page.Requests.Load() < 10 {
		t.Fatalf("%d bytes of text in %d sections over %d requests", text, len(p.Sections), page.Requests.Load())
	}
	if !strings.Contains(strings.Join(p.Sections[1].Segments, ","), "beta") {
		t.Errorf("Hardware segments %v, want beta", p.Sections[1].Segments)
	}
}
