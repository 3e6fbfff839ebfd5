package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/platform"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

const audienceDoc = `# Halcytone Weekly

A short intro for every reader.

## Breathscape

Breathscape 2.4 brings sleep mode to every subscriber.

## Vision [for: investors]

Series B term sheet signed with Quiet Capital at forty million.
`

const investorsOnly = "Series B term sheet signed with Quiet Capital"

// TestSegmentSectionStaysInItsEmail renders a document with a section for
// investors, publishes its web update on the Platform and reads the page
// and the feed as the public does: the section shows only in the
// investors' email.
func TestSegmentSectionStaysInItsEmail(t *testing.T) {
	doc, err := markdown.Convert([]byte(audienceDoc))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(parsed, render.Edition{ID: "2026-W49", WebBaseURL: "https://halcytone.example"})
	if err != nil {
		t.Fatal(err)
	}

	for _, v := range out.Variants {
		shows := strings.Contains(v.HTML, investorsOnly) && strings.Contains(v.Text, "Series B term sheet")
		if want := v.ID == render.VariantID([]string{"investors"}, out.TargetedSegments); shows != want {
			t.Errorf("email variant %s shows the investors' section: %v, want %v", v.ID, shows, want)
		}
	}
	for _, s := range out.Social {
		if strings.Contains(s.Text, "Series B") || strings.Contains(s.Text, "Vision") {
			t.Errorf("social draft for %s shows the investors' section:\n%s", s.Platform, s.Text)
		}
	}
	if len(out.EmailOnly) != 1 || out.EmailOnly[0].Heading != "Vision" || strings.Join(out.EmailOnly[0].Segments, ",") != "investors" {
		t.Errorf("email-only sections %+v, want Vision for investors", out.EmailOnly)
	}

	base := startHTTP(t, newTestServer(t, openSQLite(t), nil))
	a := &activities.Activities{Platform: platform.New(platform.Options{BaseURL: base, APIKey: testKey, Timeout: 10 * time.Second})}
	// The workflow publishes the section prints with the update, for the
	// next edition's change detection.
	in := activitytypes.PublishInput{WorkflowID: "newsletter-2026-W49", Edition: "2026-W49", Web: out.Web, Sections: parsed.Prints()}
	if _, err := a.PublishUpdate(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/updates/" + out.Web.Slug, "/updates/feed.xml", platform.PathUpdates + "/" + out.Web.Slug} {
		body := get(t, base+path)
		if !strings.Contains(body, "sleep mode") {
			t.Fatalf("%s lacks the section for everyone:\n%s", path, body)
		}
		for _, s := range []string{"Series B", "Quiet Capital", "investors"} {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q of the investors' section", path, s)
			}
		}
	}
}

// TestSectionPrintsNeedTheKey checks the API shows the section prints,
// which hold the text of sections for some segments, only to a reader
// with the API key, as the worker is.
func TestSectionPrintsNeedTheKey(t *testing.T) {
	base := startHTTP(t, newTestServer(t, openSQLite(t), nil))
	req := sampleRequest("with-prints")
	req.Sections = append(req.Sections, content.SectionPrint{Key: "vision", Heading: "Vision", Fingerprint: "f9", Text: "Series B term sheet signed"})
	keyed := platform.New(platform.Options{BaseURL: base, APIKey: testKey})
	if _, err := keyed.CreateUpdate(context.Background(), "", req); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{platform.PathUpdates, platform.PathUpdates + "/with-prints"} {
		if body := get(t, base+path); strings.Contains(body, "Series B") || strings.Contains(body, `"sections"`) {
			t.Errorf("GET %s without a key shows the section prints:\n%s", path, body)
		}
	}
	u, found, err := keyed.LatestUpdate(context.Background())
	if err != nil || !found || len(u.Sections) != len(req.Sections) {
		t.Errorf("with the key: %d sections, %v, %v; want %d for change detection", len(u.Sections), found, err, len(req.Sections))
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}
