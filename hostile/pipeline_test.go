package hostile

import (
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/gdocs"
	"github.com/halcytone/contentgen/sources/markdown"
	"github.com/halcytone/contentgen/sources/notion"
)

// caseTimeout bounds one document's conversion, parsing and rendering: a
// document that takes longer would hold up its workflow. The race
// detector slows this code several times over (race_test.go).
var caseTimeout = 10 * time.Second

// Formats of corpus files, named by their folder in testdata.
const (
	formatMarkdown = "markdown"
	formatGDocs    = "gdocs"
	formatNotion   = "notion"
)

var testEdition = render.Edition{ID: "2026-W48", WebBaseURL: "https://example.com"}

// result is how far a document got through the pipeline.
type result struct {
	stage  string // "convert", "parse" or "render" when err is set
	err    error
	doc    content.Document
	parsed content.Parsed
	out    render.Output
}

// convert runs the converter of format on data.
func convert(format string, data []byte) (content.Document, error) {
	switch format {
	case formatMarkdown:
		return markdown.Convert(data)
	case formatGDocs:
		return gdocs.ConvertJSON(data)
	case formatNotion:
		page, blocks, err := splitNotion(data)
		if err != nil {
			return content.Document{}, err
		}
		return notion.ConvertJSON(page, blocks)
	}
	return content.Document{}, fmt.Errorf("unknown format %q", format)
}

// splitNotion reads a Notion corpus file, {"page": …, "blocks": …}. A
// value given as a JSON string is passed on as its raw contents, so a file
// can hold malformed JSON for either.
func splitNotion(data []byte) (page, blocks []byte, err error) {
	var f struct {
		Page   json.RawMessage `json:"page"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("corpus file: want {\"page\": …, \"blocks\": …}: %w", err)
	}
	raw := func(v json.RawMessage) []byte {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return []byte(s)
		}
		return v
	}
	return raw(f.Page), raw(f.Blocks), nil
}

// run takes a document through conversion, parsing and rendering, failing
// the test on a panic or when it takes longer than caseTimeout.
func run(t *testing.T, r *render.Renderer, format string, data []byte) result {
	t.Helper()
	done := make(chan result, 1)
	panicked := make(chan string, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				panicked <- fmt.Sprintf("%v\n%s", p, debug.Stack())
			}
		}()
		done <- pipeline(r, format, data)
	}()
	select {
	case res := <-done:
		return res
	case p := <-panicked:
		t.Fatalf("panic: %s", p)
	case <-time.After(caseTimeout):
		t.Fatalf("no result after %s: a workflow would hang on this document", caseTimeout)
	}
	return result{}
}

func pipeline(r *render.Renderer, format string, data []byte) result {
	var res result
	var err error
	if res.doc, err = convert(format, data); err != nil {
		return result{stage: "convert", err: err}
	}
	if res.parsed, err = content.Parse(res.doc, content.DefaultTaxonomy()); err != nil {
		return result{stage: "parse", err: err, doc: res.doc}
	}
	if res.out, err = r.Render(res.parsed, testEdition); err != nil {
		res.stage, res.err = "render", err
	}
	return res
}

// payloadSize is the size of v as a workflow payload.
func payloadSize(t *testing.T, v any) int {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode payload: %v", err)
	}
	return len(b)
}

// allText joins every channel of out, for looking for text anywhere.
func allText(out render.Output) string {
	var b strings.Builder
	for _, p := range Parts(out) {
		b.WriteString(p.Text)
		b.WriteByte('\n')
	}
	return b.String()
}
