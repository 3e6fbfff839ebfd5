package hostile

// hostileCase is what one hostile document must lead to: an error naming
// the problem (wantErr), or an edition that passes every Checker check.
type hostileCase struct {
	// name is the corpus file under testdata ("markdown/empty.md"), or a
	// generated document named like one.
	name string
	gen  func() []byte
	// wantErr are texts the error must contain; none means the document
	// renders.
	wantErr []string
	// tooLarge: the document or its rendering is over the payload limit,
	// so FetchDocument or RenderEdition refuses it (see activities).
	tooLarge bool
	// literal texts must show as written in every long channel; absent
	// texts (matched ignoring case) must show in none.
	literal, absent []string
	// warn are texts the conversion or parsing warnings must contain.
	warn []string
}

const (
	errEmpty      = "document is empty: it has no text"
	errNoSections = "no section heading names a known category"
	errKnown      = "the known categories are Breathscape, Hardware, Tips, Vision"
	errDocsJSON   = "malformed documents.get JSON"
	errBlocksJSON = "malformed block list JSON"
)

var templateLiterals = []string{"{{ .Foo }}", "{{first_name}}", `{{define "x"}}`}

var cases = []hostileCase{
	// Markdown.
	{name: "markdown/empty.md", wantErr: []string{errEmpty}},
	{name: "markdown/blank.md", wantErr: []string{errEmpty}},
	{name: "markdown/no-sections.md", wantErr: []string{errNoSections, `"Halcytone Weekly"`, errKnown}},
	{name: "markdown/only-unknown-sections.md", wantErr: []string{errNoSections, `"Cooking corner", "Weather report"`, errKnown}},
	{name: "markdown/duplicated-sections.md"},
	{name: "markdown/nul-bytes.md", wantErr: []string{"NUL bytes", "not Markdown"}},
	{name: "markdown/invalid-utf8.md", warn: []string{"not valid UTF-8"}},
	{name: "markdown/rtl-combining-emoji.md", literal: []string{"\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"}},
	{name: "markdown/control-characters.md", warn: []string{"control characters"}},
	{name: "markdown/header-injection.md"},
	{name: "markdown/script-injection.md", absent: []string{"alert(1)", "onerror", "javascript:", "data:text"}, warn: []string{"HTML <script>"}},
	{name: "markdown/dangerous-links.md", absent: []string{"javascript:alert(1)", "data:text/html", "data:image", "vbscript:"},
		warn: []string{`link "javascript:alert(1)" is not an http, https or mailto URL`}},
	{name: "markdown/link-attribute-injection.md"},
	{name: "markdown/template-syntax.md", literal: templateLiterals},
	{name: "markdown/emoji-only-heading.md"},
	{name: "markdown/emoji-only-title.md"},
	{name: "markdown/code-fence-injection.md", literal: []string{"</code></pre><script>alert(2)</script>"}},
	{name: "markdown/segments-hostile.md"},
	{name: "markdown/segments-audience.md", literal: []string{"sleep mode to every subscriber"}},
	{name: "markdown/segments-too-many.md", wantErr: []string{"sections target 33 segments", "at most 6 can be combined"}},
	{name: "markdown/callout-hostile.md"},
	{name: "markdown/heading-levels.md"},
	{name: "markdown/ragged-tables.md"},
	{name: "markdown/nested-lists-100.md", warn: []string{"nested more than 32 deep are left out"}},
	{name: "markdown/nested-quotes.md", warn: []string{"nested more than 32 deep are left out"}},
	{name: "markdown/nesting-too-deep.md", wantErr: []string{"line 5 nests lists or quotes about 300 deep", "flatten it"}},
	{name: "markdown/empty-headings.md", literal: []string{"Orphaned paragraph under a blank heading."},
		warn: []string{`("Orphaned paragraph under a blank heading.") joins section "Breathscape"`}},
	{name: "markdown/front-matter-yaml.md", absent: []string{"title: >", "author"},
		warn: []string{`line 2: front matter "author" is ignored`, `line 6: front matter "tags" is ignored`}},
	{name: "markdown/front-matter-invalid.md", absent: []string{"draft: yes"},
		warn: []string{"front matter is not valid YAML, so only its title line is read, as written: line 2"}},
	{name: "markdown/footnotes-math.md", literal: []string{"heart[1]", "Heart-rate variability rises with slow breathing.", "r = t_{out} / t_{in}", "$5 or $10"},
		absent: []string{"[^hrv]", "$$"}, warn: []string{`math "r = t_{out} / t_{in}" is shown as its TeX source`}},
	{name: "markdown/linked-image-spaces.md", literal: []string{"the sleep guide"}},
	{name: "markdown/crlf-code.md", absent: []string{"4 \n", "\r"}},
	{name: "markdown/cr-only.md", literal: []string{"First paragraph.", "Second paragraph."}, absent: []string{"First paragraph. Second paragraph."}},
	{name: "markdown/pasted-word.md", literal: []string{"Firmware 2.1", "release notes", "Longer battery life", "Quieter fan", "Halo", "12 hours"},
		absent: []string{"MsoNormal", "12.0pt", "OfficeDocumentSettings", "javascript:", "onclick"},
		warn:   []string{"HTML is not passed through: its text, links, lists and tables are kept", `link "javascript:alert(1)"`}},
	{name: "markdown/nesting-markers.md", gen: markerMarkdown, wantErr: []string{"nests lists or quotes about 20000 deep"}},
	{name: "markdown/huge-5mb.md", gen: hugeMarkdown, tooLarge: true},
	{name: "markdown/table-10k-rows.md", gen: tableMarkdown, tooLarge: true},
	{name: "markdown/image-url-100kb.md", gen: imageURLMarkdown},

	// Google Docs.
	{name: "gdocs/malformed.json", wantErr: []string{errDocsJSON, "unexpected end of JSON input"}},
	{name: "gdocs/wrong-shape.json", wantErr: []string{errDocsJSON, "Document.title"}},
	{name: "gdocs/not-an-object.json", wantErr: []string{errDocsJSON, "cannot unmarshal array"}},
	{name: "gdocs/empty.json", wantErr: []string{errEmpty}},
	{name: "gdocs/no-sections.json", wantErr: []string{errNoSections, "the document has no headings", errKnown}},
	{name: "gdocs/only-unknown-sections.json", wantErr: []string{errNoSections, `"Gardening", "Sports"`, errKnown}},
	{name: "gdocs/duplicated-sections.json"},
	{name: "gdocs/legacy-body.json"},
	{name: "gdocs/missing-inline-objects.json", warn: []string{"object kix.missing1", "not an image the Docs API exports"}},
	{name: "gdocs/script-and-links.json", absent: []string{"javascript:alert(3)", "data:text/html", "javascript:alert(10)", "data:image"},
		warn: []string{`link "javascript:alert(3)"`, `link "data:text/html;base64,PHNjcmlwdD4="`, "is not an http, https or mailto URL; it shows as plain text"}},
	{name: "gdocs/template-syntax.json", literal: templateLiterals},
	{name: "gdocs/control-characters.json", warn: []string{"control characters"}},
	{name: "gdocs/rtl-emoji.json"},
	{name: "gdocs/odd-elements.json", warn: []string{"does not export equations"}},
	{name: "gdocs/nulls.json"},
	{name: "gdocs/list-nesting-levels.json", literal: []string{"nesting level 2147483647", "nesting level -2147483648"}},
	{name: "gdocs/deep-tabs.json"},
	{name: "gdocs/nested-tables.json", warn: []string{"a table inside a table cell is shown after its table"}},
	{name: "gdocs/merged-cells-empty-tabs.json", literal: []string{"Week 48 schedule", "Ask the team", "Monday session"}, absent: []string{"Vision"}},
	{name: "gdocs/huge-5mb.json", gen: hugeDocs, tooLarge: true},
	{name: "gdocs/table-10k-rows.json", gen: tableDocs, tooLarge: true},
	{name: "gdocs/nested-lists-100.json", gen: nestedDocs, literal: []string{"level 100"}},

	// Notion.
	{name: "notion/malformed-blocks.json", wantErr: []string{errBlocksJSON, "unexpected end of JSON input"}},
	{name: "notion/malformed-page.json", wantErr: []string{"malformed page JSON"}},
	{name: "notion/block-without-type.json", wantErr: []string{errBlocksJSON, "results[1]: no type"}},
	{name: "notion/block-type-not-string.json", wantErr: []string{errBlocksJSON, "results[1]: not an object with a string type"}},
	{name: "notion/nested-block-without-type.json", wantErr: []string{errBlocksJSON, "results[1].bulleted_list_item.children[0]: no type"}},
	{name: "notion/block-not-object.json", wantErr: []string{errBlocksJSON, "results[1]"}},
	{name: "notion/property-without-type.json", wantErr: []string{"malformed page JSON", `property "Status": no type`}},
	{name: "notion/odd-values.json", wantErr: []string{errBlocksJSON, "results[2] (to_do)"}},
	{name: "notion/empty-page.json", wantErr: []string{errEmpty}},
	{name: "notion/blank-blocks.json", wantErr: []string{errNoSections, "the document has no headings"}},
	{name: "notion/no-sections.json", wantErr: []string{errNoSections, errKnown}},
	{name: "notion/only-unknown-sections.json", wantErr: []string{errNoSections, `"Knitting", "Astronomy"`}},
	{name: "notion/duplicated-sections.json"},
	{name: "notion/unsupported-blocks.json", warn: []string{"unsupported Notion block hologram", "unsupported Notion block ai_block",
		"copies block 11111111-1111-1111-1111-111111111111", "are not in the JSON"}},
	{name: "notion/fidelity.json", literal: []string{"Box breathing from the command line", "Neck and shoulders, nested under Stretch",
		"How box breathing works", "Inhale four, hold four, exhale four.", "Listen to the guided session", "Tip text from the template"},
		warn: []string{"template block", `("Orphan under an empty Notion heading") joins section "Tips"`}},
	{name: "notion/script-and-links.json", absent: []string{"javascript:alert(3)", "data:text/html;base64", "onerror=\"alert(8)"},
		warn: []string{`link "javascript:alert(3)"`, `link "data:text/html;base64,PHNjcmlwdD4="`, "is not an http, https or mailto URL; it shows as plain text"}},
	{name: "notion/template-syntax.json", literal: templateLiterals},
	{name: "notion/control-characters.json", warn: []string{"control characters"}},
	{name: "notion/rtl-emoji.json"},
	{name: "notion/ragged-table.json"},
	{name: "notion/mentions.json", literal: []string{"{{ .Foo }}"}},
	{name: "notion/huge-5mb.json", gen: hugeNotion, tooLarge: true},
	{name: "notion/table-10k-rows.json", gen: tableNotion, tooLarge: true},
	{name: "notion/nested-lists-100.json", gen: nestedNotion, warn: []string{"nested more than 32 deep"}},
	{name: "notion/image-url-100kb.json", gen: imageURLNotion},
}
