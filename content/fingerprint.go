package content

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"strings"
	"unicode"
)

// Fingerprints are "sha256:" and the first 16 bytes of a SHA-256 digest, in
// hex, over a canonical encoding: every string is length-prefixed, every
// list count-prefixed, and text is normalized (see canonInlines) so that
// whitespace an editor cannot see changes nothing. Revision and source are
// never part of it. Changing the encoding changes every fingerprint and
// makes every section of the next edition "changed": bump the version tag.
const fingerprintVersion = "v1"

// SectionFingerprint is the fingerprint of a section's heading, category,
// segments and blocks.
func SectionFingerprint(s Section) string {
	w := newPrinter("section/" + fingerprintVersion)
	w.str(collapseSpace(s.Heading))
	w.str(s.Category)
	w.num(len(s.Segments))
	for _, seg := range s.Segments {
		w.str(seg)
	}
	w.blocks(s.Blocks)
	return w.sum()
}

// DocumentFingerprint is the fingerprint of the title, the intro and every
// section (recomputed from the sections' content, not their stored
// Fingerprint).
func DocumentFingerprint(p Parsed) string {
	w := newPrinter("document/" + fingerprintVersion)
	w.str(collapseSpace(p.Title))
	w.blocks(p.Intro)
	w.num(len(p.Sections))
	for _, s := range p.Sections {
		w.str(SectionFingerprint(s))
	}
	return w.sum()
}

type printer struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func newPrinter(tag string) *printer {
	w := &printer{h: sha256.New()}
	w.str(tag)
	return w
}

func (w *printer) sum() string {
	return "sha256:" + hex.EncodeToString(w.h.Sum(nil)[:16])
}

func (w *printer) num(n int) {
	w.h.Write(w.buf[:binary.PutVarint(w.buf[:], int64(n))])
}

func (w *printer) flag(b bool) {
	if b {
		w.num(1)
	} else {
		w.num(0)
	}
}

func (w *printer) str(s string) {
	w.num(len(s))
	w.h.Write([]byte(s))
}

func (w *printer) blocks(bs []Block) {
	bs, _ = dropBlank(bs)
	w.num(len(bs))
	for _, b := range bs {
		w.block(b)
	}
}

// block writes the fields that Kind uses, so a converter filling an unused
// field does not change the fingerprint.
func (w *printer) block(b Block) {
	w.str(string(b.Kind))
	switch b.Kind {
	case KindHeading:
		w.num(b.Level)
		w.inlines(b.Inlines)
	case KindParagraph:
		w.inlines(b.Inlines)
	case KindList:
		w.flag(b.Ordered)
		w.num(len(b.Items))
		for _, it := range b.Items {
			w.inlines(it.Inlines)
			w.blocks(it.Children)
		}
	case KindTodo:
		w.flag(b.Checked)
		w.inlines(b.Inlines)
		w.blocks(b.Children)
	case KindQuote:
		w.blocks(b.Children)
	case KindCallout:
		w.str(strings.TrimSpace(b.Icon))
		w.blocks(b.Children)
	case KindCode:
		w.str(strings.TrimSpace(b.Language))
		w.str(strings.TrimRightFunc(b.Text, unicode.IsSpace))
	case KindImage:
		w.str(strings.TrimSpace(b.URL))
		w.str(collapseSpace(b.Alt))
		if link := strings.TrimSpace(b.Link); link != "" {
			w.str(link) // only when set, so unlinked images keep their fingerprints
		}
		w.inlines(b.Inlines)
	case KindTable:
		w.flag(b.HeaderRow)
		w.num(len(b.Rows))
		for _, row := range b.Rows {
			w.num(len(row))
			for _, c := range row {
				w.inlines(c.Inlines)
				if c.RowSpan > 1 || c.ColSpan > 1 {
					w.num(c.RowSpan) // only when merged, so other tables keep their fingerprints
					w.num(c.ColSpan)
				}
			}
		}
	case KindDivider:
	default:
		// A kind this version does not know: everything, so no change is
		// missed.
		w.num(b.Level)
		w.inlines(b.Inlines)
		w.str(b.Text)
		w.str(b.URL)
		w.blocks(b.Children)
	}
}

func (w *printer) inlines(ins []Inline) {
	ins = canonInlines(ins)
	w.num(len(ins))
	for _, in := range ins {
		w.str(in.Text)
		w.num(formatBits(in))
		w.str(in.Link)
	}
}

func formatBits(in Inline) int {
	bits := 0
	for i, on := range []bool{in.Bold, in.Italic, in.Strike, in.Underline, in.Code} {
		if on {
			bits |= 1 << i
		}
	}
	return bits
}

// canonInlines rewrites runs into a canonical form: whitespace collapsed to
// one unformatted space (or "\n" when it holds a line break), none at the
// ends, and adjacent runs of equal formatting merged. "Hello **world** "
// and "Hello** world**" give the same runs.
func canonInlines(ins []Inline) []Inline {
	var out []Inline
	// last holds the text of out's last run: appending to a string word by
	// word would take time growing with the square of a paragraph's length.
	var last strings.Builder
	appendRun := func(in Inline) {
		if n := len(out); n > 0 {
			prev := out[n-1]
			prev.Text = in.Text
			if prev == in {
				last.WriteString(in.Text)
				return
			}
			out[n-1].Text = last.String()
		}
		last.Reset()
		last.WriteString(in.Text)
		out = append(out, in)
	}
	sep := ""
	word := func(text string, f Inline) {
		if sep != "" && len(out) > 0 {
			appendRun(Inline{Text: sep})
		}
		sep = ""
		f.Text = text
		appendRun(f)
	}
	for _, in := range ins {
		text := in.Text
		for text != "" {
			i := strings.IndexFunc(text, unicode.IsSpace)
			if i != 0 {
				if i < 0 {
					i = len(text)
				}
				word(text[:i], in)
				text = text[i:]
				continue
			}
			j := strings.IndexFunc(text, isNotSpace)
			if j < 0 {
				j = len(text)
			}
			if strings.ContainsRune(text[:j], '\n') {
				sep = "\n"
			} else if sep == "" {
				sep = " "
			}
			text = text[j:]
		}
	}
	if n := len(out); n > 0 {
		out[n-1].Text = last.String()
	}
	return out
}

func isNotSpace(r rune) bool { return !unicode.IsSpace(r) }
