package render

import (
	"reflect"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

// TestRenderEachMatchesRender: the streaming render hands over the same
// variants and channels as Render, and lets go of the document's blocks
// as it goes, while Render leaves its input as it was.
func TestRenderEachMatchesRender(t *testing.T) {
	r, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := fixtureParsed()
	want, err := r.Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, fixtureParsed()) {
		t.Fatal("Render changed its input")
	}
	var got []crm.Variant
	out, err := r.RenderEach(p, fixtureEdition(), func(v crm.Variant) error {
		got = append(got, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || !reflect.DeepEqual(got, want.Variants) {
		t.Errorf("RenderEach variants differ from Render's (%d and %d)", len(got), len(want.Variants))
	}
	if !reflect.DeepEqual(out.Web, want.Web) || !reflect.DeepEqual(out.Social, want.Social) || out.Email.ID != want.Email.ID || out.Email.Subject != want.Email.Subject {
		t.Errorf("RenderEach web, social or email summary differ from Render's")
	}
	for i, s := range p.Sections {
		if s.Blocks != nil {
			t.Errorf("section %d (%s) still holds its blocks after RenderEach", i, s.Heading)
		}
	}
}
