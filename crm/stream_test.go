package crm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestStreamedEncodingsMatchEncodingJSON(t *testing.T) {
	big := strings.Repeat("<p>Breathe — in {{open}} &amp; out\u2028 \xff</p>\n", 5000)
	vs := []Variant{
		{ID: "default", Subject: "Weekly <1>", HTML: big, Text: "text"},
		{ID: "beta", Subject: "Beta", Preheader: "pre", HTML: big + "beta", Text: big, Fallbacks: map[string]string{"first_name": "friend", "a": "<b>"}},
	}
	for _, v := range vs {
		var got bytes.Buffer
		if err := WriteVariant(&got, v); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("WriteVariant(%s) differs from json.Marshal", v.ID)
		}
	}
	for _, list := range [][]Variant{nil, vs[:1], vs} {
		b, _ := json.Marshal(list)
		sum := sha256.Sum256(b)
		if got, want := ContentDigest(list), "sha256:"+hex.EncodeToString(sum[:]); got != want {
			t.Errorf("ContentDigest of %d variants = %s, want %s", len(list), got, want)
		}
	}
	var body bytes.Buffer
	if err := WriteContentRequest(&body, ContentDigest(vs), len(vs), func(i int, w io.Writer) error { return WriteVariant(w, vs[i]) }); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(ContentRequest{Digest: ContentDigest(vs), Variants: vs})
	if !bytes.Equal(body.Bytes(), want) {
		t.Errorf("WriteContentRequest differs from json.Marshal of a ContentRequest")
	}
}
