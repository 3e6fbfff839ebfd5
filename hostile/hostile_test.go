package hostile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// TestHostileDocuments takes every hostile document through conversion,
// parsing and rendering: each ends in an error naming its problem or in
// an edition that is safe to send and publish, never in a panic or a hang.
func TestHostileDocuments(t *testing.T) {
	checker := DefaultChecker(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tooLarge && testing.Short() {
				t.Skip("a generated 5 MB document: skipped under -short; 'make test' runs it")
			}
			data := tc.input(t)
			res := run(t, checker.r, strings.Split(tc.name, "/")[0], data)
			if len(tc.wantErr) > 0 {
				checkError(t, tc, res)
				return
			}
			if res.err != nil {
				t.Fatalf("%s failed: %v", res.stage, res.err)
			}
			checkEdition(t, checker, tc, res)
		})
	}
}

func (tc hostileCase) input(t *testing.T) []byte {
	t.Helper()
	if tc.gen != nil {
		return tc.gen()
	}
	data, err := os.ReadFile(filepath.Join("testdata", tc.name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkError checks that the pipeline failed with an error an editor can
// act on, of the kind the activities classify as non-retryable.
func checkError(t *testing.T, tc hostileCase, res result) {
	t.Helper()
	if res.err == nil {
		t.Fatalf("rendered; want an error containing %q", tc.wantErr)
	}
	for _, want := range tc.wantErr {
		if !strings.Contains(res.err.Error(), want) {
			t.Errorf("%s error %q does not say %q", res.stage, res.err, want)
		}
	}
	switch res.stage {
	case "convert":
		if !errors.Is(res.err, sources.ErrInvalid) {
			t.Errorf("conversion error %v does not wrap sources.ErrInvalid, so FetchDocument would retry it", res.err)
		}
	case "parse":
		if !errors.Is(res.err, content.ErrEmpty) && !errors.Is(res.err, content.ErrNoSections) {
			t.Errorf("parse error %v is neither content.ErrEmpty nor content.ErrNoSections", res.err)
		}
	}
}

// checkEdition checks a rendered edition: every Checker invariant, the
// case's literal and absent texts, its warnings, and the payload limit.
func checkEdition(t *testing.T, checker *Checker, tc hostileCase, res result) {
	t.Helper()
	for _, p := range append(DocumentProblems(res.doc), checker.Output(res.out)...) {
		t.Error(p)
	}
	for _, p := range Audience(res.parsed, res.out) {
		t.Error(p)
	}
	for _, s := range tc.literal {
		if missing := Literal(res.out, s); len(missing) > 0 {
			t.Errorf("%q does not show as written in %s", s, strings.Join(missing, ", "))
		}
	}
	all := strings.ToLower(allText(res.out))
	for _, s := range tc.absent {
		if strings.Contains(all, strings.ToLower(s)) {
			t.Errorf("%q shows in the edition", s)
		}
	}
	warnings := strings.Join(res.parsed.Warnings, "\n") // the converter's, then parsing's
	for _, w := range tc.warn {
		if !strings.Contains(warnings, w) {
			t.Errorf("no warning says %q; warnings:\n%s", w, warnings)
		}
	}
	docSize, outSize := payloadSize(t, res.doc), payloadSize(t, res.out)
	if over := docSize > activities.MaxPayloadBytes || outSize > activities.MaxPayloadBytes; over != tc.tooLarge {
		t.Errorf("document %d bytes, rendering %d bytes, limit %d: over the limit is %v, want %v",
			docSize, outSize, activities.MaxPayloadBytes, over, tc.tooLarge)
	}
}

// TestCorpusIsInTable keeps testdata and the case table in step: a corpus
// file without expectations would never run.
func TestCorpusIsInTable(t *testing.T) {
	named := map[string]bool{}
	for _, tc := range cases {
		if named[tc.name] {
			t.Errorf("%s is in the table twice", tc.name)
		}
		named[tc.name] = true
		if _, err := os.Stat(filepath.Join("testdata", tc.name)); (err == nil) == (tc.gen != nil) {
			t.Errorf("%s: want either a corpus file or a generator, not both or neither", tc.name)
		}
	}
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := filepath.ToSlash(strings.TrimPrefix(path, "testdata"+string(filepath.Separator)))
		if !named[name] {
			t.Errorf("%s has no case in the table", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 30 {
		t.Errorf("the corpus has %d documents, want at least 30", len(cases))
	}
}

// TestAudienceFindsLeaks checks that the audience check can fail: a
// targeted section's text on the web or in a social draft is reported.
func TestAudienceFindsLeaks(t *testing.T) {
	p := content.Parsed{Title: "Weekly", Sections: []content.Section{
		{Heading: "Tips", Blocks: []content.Block{{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: "Breathe out for longer than you breathe in."}}}}},
		{Heading: "Vision", Segments: []string{"Investors"}, Blocks: []content.Block{{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: "Series B term sheet signed with Quiet Capital."}}}}},
	}}
	var out render.Output
	out.Web.HTML = "<p>Series B term sheet signed with Quiet Capital.</p>"
	out.Social = []render.SocialDraft{{Platform: render.X, Text: "• Vision: Series B term sheet…"}}
	got := strings.Join(Audience(p, out), "\n")
	for _, want := range []string{`web html: shows "Series B term sh"`, `social x: shows "Series B term sh"`, "for investors only"} {
		if !strings.Contains(got, want) {
			t.Errorf("audience problems do not say %q:\n%s", want, got)
		}
	}
	out.Web.HTML, out.Social = "<p>Breathe out for longer than you breathe in.</p>", nil
	if got := Audience(p, out); len(got) > 0 {
		t.Errorf("text for everyone reported as a leak: %q", got)
	}
}

func TestAudienceProbe(t *testing.T) {
	for text, want := range map[string]string{
		"short":                         "",
		"exactly 16 bytes":              "exactly 16 bytes",
		"  spread\n  out   words here ": "spread out words",
		"ééééééééé":                     "éééééééé", // 18 bytes: cut before the ninth
	} {
		if got := probe(text); got != want {
			t.Errorf("probe(%q) = %q, want %q", text, got, want)
		}
	}
}
