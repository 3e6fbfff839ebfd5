// Package jsonstream writes JSON strings to a writer piece by piece, byte
// for byte as encoding/json encodes them, so a value holding megabytes of
// HTML can be hashed or sent without its whole encoding in memory.
package jsonstream

import (
	"encoding/json"
	"io"
	"unicode/utf8"
)

// chunk is how much of a string is encoded at a time.
const chunk = 32 << 10

// String writes s as encoding/json encodes it (quoted, HTML-escaped,
// invalid UTF-8 as \ufffd), a chunk at a time.
func String(w io.Writer, s string) error {
	if len(s) <= chunk {
		return marshal(w, s, true, true)
	}
	if _, err := io.WriteString(w, `"`); err != nil {
		return err
	}
	for len(s) > 0 {
		n := split(s, chunk)
		if err := marshal(w, s[:n], false, false); err != nil {
			return err
		}
		s = s[n:]
	}
	_, err := io.WriteString(w, `"`)
	return err
}

// split returns where to cut s at about n bytes so that each side encodes
// as it does within the whole: never inside a UTF-8 sequence. A valid
// sequence is a lead byte and at most three continuation bytes, and an
// invalid byte is encoded on its own, so a cut is safe before a byte that
// is not a continuation byte, or after three continuation bytes in a row.
func split(s string, n int) int {
	if n >= len(s) {
		return len(s)
	}
	cont := func(i int) bool { return s[i]&0xC0 == 0x80 }
	safe := func(j int) bool {
		return j == len(s) || !cont(j) || (j >= utf8.UTFMax-1 && cont(j-1) && cont(j-2) && cont(j-3))
	}
	for j := n; j > 0 && j > n-utf8.UTFMax; j-- {
		if safe(j) {
			return j
		}
	}
	for j := n + 1; ; j++ {
		if safe(j) {
			return j
		}
	}
}

func marshal(w io.Writer, s string, open, close bool) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if !open {
		b = b[1:]
	}
	if !close {
		b = b[:len(b)-1]
	}
	_, err = w.Write(b)
	return err
}

// Value writes v as json.Marshal encodes it (for the small parts of a
// large value).
func Value(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Writer collects the first error of a sequence of writes, so an encoder
// can write piece after piece and check once.
type Writer struct {
	W   io.Writer
	Err error
}

// Raw writes s as it is.
func (w *Writer) Raw(s string) {
	if w.Err == nil {
		_, w.Err = io.WriteString(w.W, s)
	}
}

// String writes s as a JSON string.
func (w *Writer) String(s string) {
	if w.Err == nil {
		w.Err = String(w.W, s)
	}
}

// Value writes v as json.Marshal does.
func (w *Writer) Value(v any) {
	if w.Err == nil {
		w.Err = Value(w.W, v)
	}
}
