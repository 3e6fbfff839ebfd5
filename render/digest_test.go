package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

func TestDigest(t *testing.T) {
	out := Output{Web: WebUpdate{Slug: "s", HTML: "<p>a</p>"}, Social: []SocialDraft{{Platform: X, Text: "hi"}}}
	d := Digest(out)
	if len(d) != 64 || Digest(out) != d {
		t.Fatalf("digest %q is not a stable SHA-256 hex", d)
	}
	out.Revision = "ignored"
	if Digest(out) != d {
		t.Error("the revision field changes the digest")
	}
	for name, change := range map[string]func(*Output){
		"web":    func(o *Output) { o.Web.HTML = "<p>b</p>" },
		"social": func(o *Output) { o.Social[0].Text = "hello" },
		"email":  func(o *Output) { o.Variants = append(o.Variants, o.Email) },
	} {
		o := out
		o.Social = append([]SocialDraft(nil), out.Social...)
		change(&o)
		if Digest(o) == d {
			t.Errorf("a change to the %s part keeps the digest", name)
		}
	}
}

// encoderDigest is how Digest was first computed: one json.Encoder over
// the whole struct. Revisions recorded in running workflows and tokens
// hold digests made that way, so the streamed form must match it.
func encoderDigest(out Output) string {
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(struct {
		Variants  any `json:"variants"`
		Targeted  any `json:"targeted"`
		EmailOnly any `json:"email_only"`
		Web       any `json:"web"`
		Social    any `json:"social"`
	}{out.Variants, out.TargetedSegments, out.EmailOnly, out.Web, out.Social})
	return hex.EncodeToString(h.Sum(nil))
}

func TestDigestMatchesWholeEncoding(t *testing.T) {
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(sampleParsed(), sampleEdition())
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("<p>é &amp; <b>{{open}}</b>\u2028</p>\n", 20000)
	outs := []Output{out, {}, {Web: WebUpdate{HTML: big, Markdown: big, Tags: []string{"tips"}}, Variants: []crm.Variant{{ID: "a", HTML: big, Fallbacks: map[string]string{"x": "y"}}}}}
	for i, o := range outs {
		if got, want := Digest(o), encoderDigest(o); got != want {
			t.Errorf("output %d: Digest %s, whole encoding %s", i, got, want)
		}
		var b bytes.Buffer
		if err := WriteWeb(&b, o.Web); err != nil {
			t.Fatal(err)
		}
		if want, _ := json.Marshal(o.Web); !bytes.Equal(b.Bytes(), want) {
			t.Errorf("output %d: WriteWeb differs from json.Marshal", i)
		}
	}
}
