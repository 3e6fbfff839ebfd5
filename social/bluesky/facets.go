package bluesky

import (
	"regexp"
	"strings"
)

// Facet marks a byte range of a post's text as a link or a hashtag.
// Offsets count UTF-8 bytes, not characters: an emoji before a link
// moves it by four.
type Facet struct {
	Index    ByteSlice `json:"index"`
	Features []Feature `json:"features"`
}

// ByteSlice is a [ByteStart, ByteEnd) range of the UTF-8 text.
type ByteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

// Feature is app.bsky.richtext.facet#link or #tag.
type Feature struct {
	Type string `json:"$type"`
	URI  string `json:"uri,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

var (
	linkRe = regexp.MustCompile(`https?://[^\s<>"]+`)
	tagRe  = regexp.MustCompile(`(^|\s)#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)`)
)

// Facets finds the links and hashtags in text. Go strings are UTF-8, so
// regexp indexes are already the byte offsets Bluesky wants.
func Facets(text string) []Facet {
	var out []Facet
	for _, m := range linkRe.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		// Trailing punctuation ends a sentence, not the link.
		for end > start && strings.ContainsRune(".,;:!?)'", rune(text[end-1])) {
			end--
		}
		out = append(out, Facet{Index: ByteSlice{start, end}, Features: []Feature{{Type: "app.bsky.richtext.facet#link", URI: text[start:end]}}})
	}
	for _, m := range tagRe.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[4]-1, m[5] // include the '#'
		out = append(out, Facet{Index: ByteSlice{start, end}, Features: []Feature{{Type: "app.bsky.richtext.facet#tag", Tag: text[m[4]:m[5]]}}})
	}
	return out
}
