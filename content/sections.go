package content

// Category is a newsletter section kind the product knows, with the names an
// editor may use for it in a heading (matched case-insensitively, ignoring
// punctuation and emoji).
type Category struct {
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Synonyms []string `json:"synonyms,omitempty"`
}

// Taxonomy is the ordered list of known categories.
type Taxonomy struct {
	Categories []Category `json:"categories"`
}

// Section is the blocks under one top-level heading.
type Section struct {
	// Category is the key of the matched category, or "" when the heading
	// names no known category (the section is kept and reported).
	Category string  `json:"category,omitempty"`
	Heading  string  `json:"heading"`
	Blocks   []Block `json:"blocks"`
	// Segments, when set, limits the section to recipients in any of these
	// CRM segments. Editors write it at the end of the heading:
	// "Hardware [for: beta, pro]".
	Segments    []string `json:"segments,omitempty"`
	Fingerprint string   `json:"fingerprint"`
}

// Parsed is a document grouped into sections.
type Parsed struct {
	Title    string `json:"title"`
	Revision string `json:"revision,omitempty"`
	Source   string `json:"source,omitempty"`
	// Lang is the document's language tag, canonical ("pt-BR"), or empty.
	Lang string `json:"lang,omitempty"`
	// Dir is the writing direction the source set, "ltr" or "rtl", or
	// empty when the text decides.
	Dir string `json:"dir,omitempty"`
	// Intro holds blocks before the first section heading.
	Intro    []Block   `json:"intro,omitempty"`
	Sections []Section `json:"sections"`
	// Unknown lists headings of sections that matched no category.
	Unknown     []string `json:"unknown,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`
	Fingerprint string   `json:"fingerprint"`
}

// SectionPrint is what an edition remembers of a section for change
// detection in later runs.
type SectionPrint struct {
	Key         string `json:"key"`
	Heading     string `json:"heading"`
	Fingerprint string `json:"fingerprint"`
	// Text is the section's plain text, for a short diff.
	Text string `json:"text,omitempty"`
}

// ChangeKind says how a section differs from the last edition.
type ChangeKind string

// Change kinds.
const (
	ChangeNew     ChangeKind = "new"
	ChangeChanged ChangeKind = "changed"
	ChangeRemoved ChangeKind = "removed"
)

// SectionChange is one section that differs from the last edition.
type SectionChange struct {
	Key     string     `json:"key"`
	Heading string     `json:"heading"`
	Change  ChangeKind `json:"change"`
	// Diff is a short line diff of the section text ("- old", "+ new").
	Diff string `json:"diff,omitempty"`
}
