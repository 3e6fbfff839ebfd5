// Package content holds the document model every source converts into, the
// grouping of blocks into newsletter sections, and fingerprints used for
// change detection. It is pure code: no I/O, no Temporal.
package content

// Document is a living document as fetched from any source.
type Document struct {
	Title    string `json:"title"`
	Revision string `json:"revision,omitempty"`
	// Source is the reference the document was fetched from, e.g.
	// "markdown:examples/living-document.md".
	Source string `json:"source,omitempty"`
	// Lang is the document's language as a BCP 47 tag ("en", "pt-BR"),
	// when the source says; empty otherwise.
	Lang string `json:"lang,omitempty"`
	// Dir is the writing direction the source sets for the document, "ltr"
	// or "rtl"; empty when it says nothing, and the text decides.
	Dir    string  `json:"dir,omitempty"`
	Blocks []Block `json:"blocks"`
	// Warnings are things a converter could not represent (an unsupported
	// block type and its ID, an image whose URL expires): reported, never
	// silently dropped.
	Warnings []string `json:"warnings,omitempty"`
}

// BlockKind names the kind of a block.
type BlockKind string

// Block kinds.
const (
	KindHeading   BlockKind = "heading"
	KindParagraph BlockKind = "paragraph"
	KindList      BlockKind = "list"
	KindTodo      BlockKind = "todo"
	KindQuote     BlockKind = "quote"
	KindCallout   BlockKind = "callout"
	KindCode      BlockKind = "code"
	KindImage     BlockKind = "image"
	KindTable     BlockKind = "table"
	KindDivider   BlockKind = "divider"
	KindToggle    BlockKind = "toggle"
)

// Block is one structural element. Which fields are set depends on Kind:
//
//	heading    Level (1–6), Inlines
//	paragraph  Inlines
//	list       Ordered, Items
//	todo       Checked, Inlines
//	quote      Children
//	callout    Icon, Children
//	code       Language, Text
//	image      URL, Alt, Inlines (caption), Link (where the image leads)
//	table      Rows, HeaderRow
//	divider    nothing
//	toggle     Inlines (the summary), Children (shown when opened)
type Block struct {
	Kind      BlockKind  `json:"kind"`
	Level     int        `json:"level,omitempty"`
	Inlines   []Inline   `json:"inlines,omitempty"`
	Ordered   bool       `json:"ordered,omitempty"`
	Items     []ListItem `json:"items,omitempty"`
	Checked   bool       `json:"checked,omitempty"`
	Children  []Block    `json:"children,omitempty"`
	Icon      string     `json:"icon,omitempty"`
	Language  string     `json:"language,omitempty"`
	Text      string     `json:"text,omitempty"`
	URL       string     `json:"url,omitempty"`
	Alt       string     `json:"alt,omitempty"`
	Link      string     `json:"link,omitempty"`
	Rows      [][]Cell   `json:"rows,omitempty"`
	HeaderRow bool       `json:"header_row,omitempty"`
}

// ListItem is one item of a list. Children hold nested lists and any other
// blocks that belong to the item.
type ListItem struct {
	Inlines  []Inline `json:"inlines"`
	Children []Block  `json:"children,omitempty"`
}

// Cell is one table cell. A cell merged over several rows or columns has
// RowSpan or ColSpan above 1; the cells it covers stay in their rows, empty
// and Merged, so every row keeps one cell per column.
type Cell struct {
	Inlines []Inline `json:"inlines"`
	RowSpan int      `json:"row_span,omitempty"`
	ColSpan int      `json:"col_span,omitempty"`
	Merged  bool     `json:"merged,omitempty"`
}

// Inline is a run of text with uniform formatting. A hard line break is a
// run whose Text is "\n".
type Inline struct {
	Text      string `json:"text"`
	Bold      bool   `json:"bold,omitempty"`
	Italic    bool   `json:"italic,omitempty"`
	Strike    bool   `json:"strike,omitempty"`
	Underline bool   `json:"underline,omitempty"`
	Code      bool   `json:"code,omitempty"`
	Link      string `json:"link,omitempty"`
}

// Text returns the concatenated plain text of inline runs.
func Text(inlines []Inline) string {
	n := 0
	for _, in := range inlines {
		n += len(in.Text)
	}
	b := make([]byte, 0, n)
	for _, in := range inlines {
		b = append(b, in.Text...)
	}
	return string(b)
}
