package render

import "testing"

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
