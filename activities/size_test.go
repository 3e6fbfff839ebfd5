package activities_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/render"
)

func paragraph(text string) content.Block {
	return content.Block{Kind: content.KindParagraph, Inlines: []content.Inline{{Text: text}}}
}

// bigDocument is a document of about size bytes of text.
func bigDocument(size int) content.Document {
	doc := content.Document{Title: "Halcytone Weekly", Blocks: []content.Block{
		{Kind: content.KindHeading, Level: 2, Inlines: []content.Inline{{Text: "Tips"}}},
	}}
	line := strings.Repeat("Breathe in for four, hold for four, out for four. ", 20)
	for n := 0; n < size; n += len(line) {
		doc.Blocks = append(doc.Blocks, paragraph(line))
	}
	return doc
}

// tableParsed is a small parsed document whose table renders large: every
// cell of the email carries its inline styles.
func tableParsed(rows int) content.Parsed {
	table := content.Block{Kind: content.KindTable}
	for i := range rows {
		table.Rows = append(table.Rows, []content.Cell{
			{Inlines: []content.Inline{{Text: fmt.Sprintf("S-%05d", i)}}},
			{Inlines: []content.Inline{{Text: "ok"}}},
		})
	}
	return content.Parsed{Title: "Halcytone Weekly", Sections: []content.Section{
		{Category: "hardware", Heading: "Hardware", Blocks: []content.Block{table}},
	}}
}

func newActivities(t *testing.T, docs map[string][]content.Document) *activities.Activities {
	t.Helper()
	r, err := render.New(render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &activities.Activities{
		Sources:    &fakes.Fetcher{Docs: docs},
		Taxonomy:   content.DefaultTaxonomy(),
		Renderer:   r,
		WebBaseURL: "https://example.com",
	}
}

func TestPayloadLimit(t *testing.T) {
	a := newActivities(t, map[string][]content.Document{
		"markdown:big.md":   {bigDocument(activities.MaxPayloadBytes + 64<<10)},
		"markdown:small.md": {bigDocument(64 << 10)},
	})
	tests := []struct {
		name     string
		run      func(env *testsuite.TestActivityEnvironment) error
		wantWhat string // what the message names; "" means no error
	}{
		{"document over the limit", func(env *testsuite.TestActivityEnvironment) error {
			_, err := env.ExecuteActivity(a.FetchDocument, activitytypes.FetchInput{Source: "markdown:big.md"})
			return err
		}, "document markdown:big.md is "},
		{"document under the limit", func(env *testsuite.TestActivityEnvironment) error {
			_, err := env.ExecuteActivity(a.FetchDocument, activitytypes.FetchInput{Source: "markdown:small.md"})
			return err
		}, ""},
		{"rendering over the limit", func(env *testsuite.TestActivityEnvironment) error {
			_, err := env.ExecuteActivity(a.RenderEdition, activitytypes.RenderInput{Parsed: tableParsed(6000), Edition: "2026-W48"})
			return err
		}, "rendered edition 2026-W48 is "},
		{"rendering under the limit", func(env *testsuite.TestActivityEnvironment) error {
			_, err := env.ExecuteActivity(a.RenderEdition, activitytypes.RenderInput{Parsed: tableParsed(100), Edition: "2026-W48"})
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var suite testsuite.WorkflowTestSuite
			env := suite.NewTestActivityEnvironment()
			env.RegisterActivity(a)
			err := tt.run(env)
			if tt.wantWhat == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			checkTooLarge(t, err, tt.wantWhat)
		})
	}
}

// checkTooLarge checks that err is the payload-limit failure: final, of
// the documented type, and telling the editor what to do.
func checkTooLarge(t *testing.T, err error, what string) {
	t.Helper()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) {
		t.Fatalf("got %v (%T), want an application error", err, err)
	}
	if appErr.Type() != activitytypes.ErrTypeTooLarge {
		t.Errorf("type %q, want %q", appErr.Type(), activitytypes.ErrTypeTooLarge)
	}
	if !appErr.NonRetryable() {
		t.Error("retryable: every retry would fail the same way")
	}
	limit := fmt.Sprintf("over the %d KiB limit of a workflow payload", activities.MaxPayloadBytes>>10)
	for _, want := range []string{what, limit, "shorten the document or split it into several editions"} {
		if !strings.Contains(appErr.Error(), want) {
			t.Errorf("message %q does not say %q", appErr.Error(), want)
		}
	}
}
