package render

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/jsonstream"
)

// Digest is the content revision of out: a SHA-256 over every email
// variant, the web update and the social drafts, in hex. Any change an
// approver could see changes it; a re-render of the same document with
// the same figures keeps it.
func Digest(out Output) string {
	r := NewRevision()
	for _, v := range out.Variants {
		r.AddVariant(v)
	}
	return r.Sum(out)
}

// Revision computes Digest a variant at a time, so a render can hash
// each email variant and let it go. The bytes hashed are the JSON
// encoding of {variants, targeted, email_only, web, social} followed by a
// newline, as a json.Encoder writes it.
type Revision struct {
	h  hash.Hash
	bw *bufio.Writer
	n  int
}

// NewRevision starts a Digest.
func NewRevision() *Revision {
	h := sha256.New()
	r := &Revision{h: h, bw: bufio.NewWriterSize(h, 64<<10)}
	_, _ = r.bw.WriteString(`{"variants":`)
	return r
}

// AddVariant hashes the next email variant.
func (r *Revision) AddVariant(v crm.Variant) {
	_ = crm.WriteVariant(r.NextVariant(), v) // a hash never fails a write
}

// NextVariant starts the next email variant and returns the writer its
// encoding (as crm.WriteVariant writes it) goes to.
func (r *Revision) NextVariant() io.Writer {
	if r.n == 0 {
		_ = r.bw.WriteByte('[')
	} else {
		_ = r.bw.WriteByte(',')
	}
	r.n++
	return r.bw
}

// Sum hashes the rest of out (every field but its variants) and returns
// the revision.
func (r *Revision) Sum(out Output) string {
	if r.n == 0 {
		_, _ = r.bw.WriteString("null")
	} else {
		_ = r.bw.WriteByte(']')
	}
	jw := &jsonstream.Writer{W: r.bw}
	jw.Raw(`,"targeted":`)
	jw.Value(out.TargetedSegments)
	jw.Raw(`,"email_only":`)
	jw.Value(out.EmailOnly)
	jw.Raw(`,"web":`)
	_ = WriteWeb(r.bw, out.Web)
	jw.Raw(`,"social":`)
	jw.Value(out.Social)
	jw.Raw("}\n")
	_ = r.bw.Flush()
	return hex.EncodeToString(r.h.Sum(nil))
}

// WriteWeb writes w as json.Marshal encodes it, a piece at a time.
func WriteWeb(dst io.Writer, w WebUpdate) error {
	jw := &jsonstream.Writer{W: dst}
	jw.Raw(`{"slug":`)
	jw.String(w.Slug)
	jw.Raw(`,"title":`)
	jw.String(w.Title)
	jw.Raw(`,"summary":`)
	jw.String(w.Summary)
	jw.Raw(`,"url":`)
	jw.String(w.URL)
	jw.Raw(`,"html":`)
	jw.String(w.HTML)
	jw.Raw(`,"markdown":`)
	jw.String(w.Markdown)
	if len(w.Tags) > 0 {
		jw.Raw(`,"tags":`)
		jw.Value(w.Tags)
	}
	jw.Raw("}")
	return jw.Err
}
