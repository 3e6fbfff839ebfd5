package content

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Sentinel errors of Parse; both mean the document needs an editor's fix,
// not a retry.
var (
	// ErrEmpty: the document has no text at all.
	ErrEmpty = errors.New("document is empty")
	// ErrNoSections: no heading names a known category.
	ErrNoSections = errors.New("no section heading names a known category")
)

// Parse groups a document's blocks into sections under its top-level
// headings and matches each heading to a category of tax.
//
// The top level is the shallowest heading level. When the first block is
// the only heading at that level and deeper headings follow ("# Title"
// then "## Sections"), it is the document's title (used when doc.Title is
// empty) and sections start at the next level. Blocks before the first
// section are the intro. Sections naming no category are kept with an
// empty Category and listed in Unknown; Parse fails with ErrNoSections only
// when no section names a category.
func Parse(doc Document, tax Taxonomy) (Parsed, error) {
	if err := tax.Validate(); err != nil {
		return Parsed{}, fmt.Errorf("invalid taxonomy: %w", err)
	}
	blocks, emptyHeadings := dropBlank(doc.Blocks)
	if len(blocks) == 0 {
		return Parsed{}, fmt.Errorf("%w: it has no text; write a title, a short intro and one heading per section, e.g. \"## Tips\"", ErrEmpty)
	}
	idx := tax.index()
	var warnings []string
	p := Parsed{
		Title:    collapseSpace(doc.Title),
		Revision: doc.Revision,
		Source:   doc.Source,
		Lang:     langTag(doc.Lang, &warnings),
		Dir:      dirOf(doc.Dir, &warnings),
		Warnings: append([]string(nil), doc.Warnings...),
	}
	p.Warnings = append(p.Warnings, warnings...)
	level, titled := layout(blocks, idx)
	all := blocks
	if titled {
		if p.Title == "" {
			p.Title = collapseSpace(Text(blocks[0].Inlines))
		}
		blocks = blocks[1:]
	}
	i := 0
	for i < len(blocks) && !startsSection(blocks[i], level) {
		i++
	}
	if i > 0 {
		p.Intro = blocks[:i:i]
	}
	var starts []int // index in blocks of each section's heading
	for i < len(blocks) {
		j := i + 1
		for j < len(blocks) && !startsSection(blocks[j], level) {
			j++
		}
		starts = append(starts, i)
		p.Sections = append(p.Sections, newSection(blocks[i], blocks[i+1:j:j], idx, &p.Warnings))
		i = j
	}
	p.Warnings = append(p.Warnings, emptyHeadingWarnings(emptyHeadings, all, len(all)-len(blocks), starts, p.Sections)...)
	if err := checkCategories(&p, tax); err != nil {
		return Parsed{}, err
	}
	for i := range p.Sections {
		p.Sections[i].Fingerprint = SectionFingerprint(p.Sections[i])
	}
	p.Fingerprint = DocumentFingerprint(p)
	return p, nil
}

// layout returns the heading level that starts sections and whether the
// first block is the document's title rather than a section.
func layout(blocks []Block, idx map[string]string) (level int, titled bool) {
	top, count := 0, 0
	for _, b := range blocks {
		switch {
		case b.Kind != KindHeading:
		case top == 0 || b.Level < top:
			top, count = b.Level, 1
		case b.Level == top:
			count++
		}
	}
	first := blocks[0]
	if top == 0 || count > 1 || first.Kind != KindHeading || first.Level != top {
		return top, false
	}
	next := 0
	for _, b := range blocks[1:] {
		if b.Kind == KindHeading && (next == 0 || b.Level < next) {
			next = b.Level
		}
	}
	if next == 0 {
		return top, false
	}
	// "# Tips" over "### Step one" is a section with subheadings, not a
	// title: keep it when it names a category and its subheadings do not.
	if _, ok := idx[matchName(Text(first.Inlines))]; ok && !anyMatches(blocks[1:], next, idx) {
		return top, false
	}
	return next, true
}

func anyMatches(blocks []Block, level int, idx map[string]string) bool {
	for _, b := range blocks {
		if b.Kind == KindHeading && b.Level == level {
			heading, _ := splitSegments(Text(b.Inlines))
			if _, ok := idx[matchName(heading)]; ok {
				return true
			}
		}
	}
	return false
}

func startsSection(b Block, level int) bool {
	return b.Kind == KindHeading && b.Level <= level
}

func newSection(h Block, body []Block, idx map[string]string, warnings *[]string) Section {
	heading, segments := splitSegments(Text(h.Inlines))
	if segments != nil && len(segments) == 0 {
		*warnings = append(*warnings, fmt.Sprintf("section %q: [for: …] names no segment, so the section goes to everyone; list segments like [for: beta, pro]", heading))
		segments = nil
	}
	return Section{Category: idx[matchName(heading)], Heading: heading, Blocks: body, Segments: segments}
}

// checkCategories lists unknown sections, warns about repeated categories
// and fails when no section names a category.
func checkCategories(p *Parsed, tax Taxonomy) error {
	first := map[string]string{}
	known := 0
	var headings []string
	for _, s := range p.Sections {
		headings = append(headings, fmt.Sprintf("%q", s.Heading))
		if s.Category == "" {
			p.Unknown = append(p.Unknown, s.Heading)
			continue
		}
		known++
		if prev, ok := first[s.Category]; ok {
			p.Warnings = append(p.Warnings, fmt.Sprintf("sections %q and %q are both category %q; both are kept, merge them or rename one", prev, s.Heading, s.Category))
			continue
		}
		first[s.Category] = s.Heading
	}
	if known > 0 {
		return nil
	}
	found := "the document has no headings"
	if len(headings) > 0 {
		found = "the section headings are " + strings.Join(headings, ", ")
	}
	return fmt.Errorf("%w: %s; the known categories are %s. Rename a heading to one of them (e.g. \"## %s\") or add the heading as a synonym in the taxonomy",
		ErrNoSections, found, strings.Join(tax.Names(), ", "), tax.Categories[0].Name)
}

// splitSegments cuts a "[for: beta, pro]" suffix off a heading. segments is
// nil without a suffix and empty (not nil) for "[for:]".
func splitSegments(text string) (heading string, segments []string) {
	text = collapseSpace(text)
	open := strings.LastIndexByte(text, '[')
	if open < 0 || !strings.HasSuffix(text, "]") {
		return text, nil
	}
	inner := strings.TrimSpace(text[open+1 : len(text)-1])
	rest, ok := cutFor(inner)
	if !ok {
		return text, nil
	}
	segments = NormalizeSegments(strings.Split(rest, ","))
	if segments == nil {
		segments = []string{}
	}
	return strings.TrimSpace(text[:open]), segments
}

// cutFor accepts "for: a, b" and "for a, b", case-insensitively.
func cutFor(s string) (string, bool) {
	if len(s) < 3 || !strings.EqualFold(s[:3], "for") {
		return "", false
	}
	rest := s[3:]
	if r := strings.TrimLeft(rest, " \t"); strings.HasPrefix(r, ":") {
		return r[1:], true
	}
	if rest == "" || rest[0] == ' ' || rest[0] == '\t' {
		return rest, true
	}
	return "", false
}

// NormalizeSegments lowercases and trims segment names and returns them
// sorted without duplicates or empty names; nil when none remain.
func NormalizeSegments(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		s = strings.ToLower(collapseSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// dropBlank leaves out blank paragraphs and headings. It returns, for each
// blank heading, the index in out of the block that followed it.
func dropBlank(blocks []Block) (out []Block, emptyHeadings []int) {
	out = make([]Block, 0, len(blocks))
	for _, b := range blocks {
		if !isBlank(b) {
			out = append(out, b)
		} else if b.Kind == KindHeading {
			emptyHeadings = append(emptyHeadings, len(out))
		}
	}
	return out, emptyHeadings
}

// emptyHeadingWarnings says, for each empty heading followed by text, that
// the heading was dropped and which section its text joined. cut is the
// number of blocks (the title) before the first index of starts.
func emptyHeadingWarnings(empty []int, all []Block, cut int, starts []int, sections []Section) []string {
	var out []string
	for k, at := range empty {
		if at >= len(all) || all[at].Kind == KindHeading || (k+1 < len(empty) && empty[k+1] == at) {
			continue // nothing under it before the next heading
		}
		where := "the intro"
		for s, start := range starts {
			if start+cut < at {
				where = fmt.Sprintf("section %q", sections[s].Heading)
			}
		}
		out = append(out, fmt.Sprintf("a heading with no text was left out, so the text after it (%q) joins %s; "+
			"write the heading's text, or remove the empty heading", excerpt(all[at]), where))
	}
	return out
}

// excerpt is the start of a block's text, for pointing at it in a warning.
func excerpt(b Block) string {
	words := strings.Fields(blockText(b))
	if len(words) > 8 {
		return strings.Join(words[:8], " ") + " …"
	}
	return strings.Join(words, " ")
}

// isBlank reports a paragraph or heading with no visible text, as editors
// leave between paragraphs in Google Docs.
func isBlank(b Block) bool {
	return (b.Kind == KindParagraph || b.Kind == KindHeading) && strings.TrimSpace(Text(b.Inlines)) == ""
}

// langTag is tag in its canonical form; an invalid tag is a warning and
// no language.
func langTag(tag string, warnings *[]string) string {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		*warnings = append(*warnings, fmt.Sprintf("language %q is not a language tag such as en or pt-BR, so it is left out", tag))
		return ""
	}
	return t.String()
}

// dirOf checks a writing direction: "ltr" or "rtl", any case.
func dirOf(dir string, warnings *[]string) string {
	switch d := strings.ToLower(strings.TrimSpace(dir)); d {
	case "", "ltr", "rtl":
		return d
	default:
		*warnings = append(*warnings, fmt.Sprintf("direction %q is neither ltr nor rtl, so the text decides", dir))
		return ""
	}
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
