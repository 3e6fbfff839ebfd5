package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/browsertest"
	"github.com/halcytone/contentgen/platform"
)

// TestPagesInBrowser publishes through the client and looks at the pages
// the way a reader's browser shows them, on a phone and on a desktop.
func TestPagesInBrowser(t *testing.T) {
	browsertest.Chromium(t)
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	client := platform.New(platform.Options{BaseURL: base, APIKey: testKey})
	ctx := context.Background()
	for i := 46; i <= 47; i++ {
		req := sampleRequest(fmt.Sprintf("2026-w%d-halcytone-weekly", i))
		req.Edition = fmt.Sprintf("2026-W%d", i)
		req.Title = fmt.Sprintf("Halcytone Weekly · week %d", i)
		if _, err := client.CreateUpdate(ctx, "", req); err != nil {
			t.Fatal(err)
		}
	}
	req := sampleRequest("2026-w48-halcytone-weekly")
	if _, err := client.CreateUpdate(ctx, "newsletter-2026-W48:publish", req); err != nil {
		t.Fatal(err)
	}

	pages := []struct {
		name, path string
		want       []string
	}{
		{"list", "/updates", []string{">Halcytone Weekly</a>", "Halcytone Weekly · week 46", "Edition 2026-W48"}},
		{"post", "/updates/" + req.Slug, []string{"<h1>Halcytone Weekly</h1>", "<h2>Breathscape</h2>", "<h2>Hardware</h2>", "<li>hardware</li>"}},
	}
	// One Chromium at a time: the pages are quick, Chromium's start is not.
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			budget := browsertest.VirtualTimeBudget(500 * time.Millisecond)
			_, dom := browsertest.Capture(t, base+p.path, "phone.png", 390, 844, budget)
			for _, w := range p.want {
				if !strings.Contains(dom, w) {
					t.Errorf("rendered page lacks %q", w)
				}
			}
			browsertest.Screenshot(t, base+p.path, "desktop.png", 1280, 900, budget)
		})
	}
}
