package crm

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"

	"github.com/halcytone/contentgen/internal/jsonstream"
)

// WriteVariant writes v to w exactly as json.Marshal encodes it, a piece
// at a time: a variant of a large edition holds megabytes of HTML.
func WriteVariant(w io.Writer, v Variant) error {
	jw := &jsonstream.Writer{W: w}
	jw.Raw(`{"id":`)
	jw.String(v.ID)
	jw.Raw(`,"subject":`)
	jw.String(v.Subject)
	if v.Preheader != "" {
		jw.Raw(`,"preheader":`)
		jw.String(v.Preheader)
	}
	jw.Raw(`,"html":`)
	jw.String(v.HTML)
	jw.Raw(`,"text":`)
	jw.String(v.Text)
	if len(v.Fallbacks) > 0 {
		jw.Raw(`,"fallbacks":`)
		jw.Value(v.Fallbacks)
	}
	jw.Raw(`}`)
	return jw.Err
}

// ContentHash computes ContentDigest of variants added one at a time, so
// a render can hash each variant and let it go.
type ContentHash struct {
	h  hash.Hash
	bw *bufio.Writer
	n  int
}

// NewContentHash starts a ContentDigest.
func NewContentHash() *ContentHash {
	h := sha256.New()
	c := &ContentHash{h: h, bw: bufio.NewWriterSize(h, 64<<10)}
	_ = c.bw.WriteByte('[')
	return c
}

// Add hashes the next variant.
func (c *ContentHash) Add(v Variant) {
	_ = WriteVariant(c.Next(), v) // a hash never fails a write
}

// Next starts the next variant and returns the writer its encoding (as
// WriteVariant writes it) goes to.
func (c *ContentHash) Next() io.Writer {
	if c.n > 0 {
		_ = c.bw.WriteByte(',')
	}
	c.n++
	return c.bw
}

// Sum is the digest of the variants added, "sha256:<hex>".
func (c *ContentHash) Sum() string {
	if c.n == 0 {
		// json.Marshal of a nil slice, as ContentDigest(nil) always was.
		sum := sha256.Sum256([]byte("null"))
		return "sha256:" + hex.EncodeToString(sum[:])
	}
	_ = c.bw.WriteByte(']')
	_ = c.bw.Flush()
	return "sha256:" + hex.EncodeToString(c.h.Sum(nil))
}

// WriteContentRequest writes the body of a content upload whose variants
// are already encoded (each as WriteVariant writes it, e.g. read from an
// artifact store): {"digest":…,"variants":[…]}. next is called once per
// variant, in order, to write it to w.
func WriteContentRequest(w io.Writer, digest string, variants int, next func(i int, w io.Writer) error) error {
	jw := &jsonstream.Writer{W: w}
	jw.Raw(`{"digest":`)
	jw.String(digest)
	jw.Raw(`,"variants":[`)
	for i := range variants {
		if i > 0 {
			jw.Raw(",")
		}
		if jw.Err == nil {
			jw.Err = next(i, w)
		}
	}
	jw.Raw(`]}`)
	return jw.Err
}
