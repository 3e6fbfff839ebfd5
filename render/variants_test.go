package render

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

func TestVariantID(t *testing.T) {
	targeted := []string{"beta", "pro", "a+b"}
	tests := []struct {
		recipient []string
		want      string
	}{
		{nil, DefaultVariant},
		{[]string{"newsletter"}, DefaultVariant},
		{[]string{"beta"}, "seg-beta"},
		{[]string{"PRO", " beta ", "other"}, "seg-beta+pro"},
		{[]string{"pro", "beta", "beta"}, "seg-beta+pro"},
		{[]string{"a+b"}, "seg-a%2Bb"},
		{[]string{"a", "b"}, DefaultVariant},
	}
	for _, tt := range tests {
		if got := VariantID(tt.recipient, targeted); got != tt.want {
			t.Errorf("VariantID(%q) = %q, want %q", tt.recipient, got, tt.want)
		}
	}
	if got := VariantID([]string{"beta"}, nil); got != DefaultVariant {
		t.Errorf("nothing targeted: got %q", got)
	}
	long := []string{strings.Repeat("a", 60), strings.Repeat("b", 60)}
	id := VariantID(long, long)
	if len(id) > maxVariantID || !strings.HasPrefix(id, "seg-") || id != VariantID(long, long) {
		t.Errorf("long segment names: %q must be stable and at most %d bytes", id, maxVariantID)
	}
}

func TestVariantsPerSegmentCombination(t *testing.T) {
	r := newRenderer(t)
	out, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"beta", "pro"}; !reflect.DeepEqual(out.TargetedSegments, want) {
		t.Fatalf("targeted %q, want %q", out.TargetedSegments, want)
	}
	// Hardware is for beta and pro, Tips for pro only.
	want := map[string][]string{
		"default":      {"Breathscape", "Odds"},
		"seg-beta":     {"Breathscape", "Hardware", "Odds"},
		"seg-pro":      {"Breathscape", "Hardware", "Tips", "Odds"},
		"seg-beta+pro": {"Breathscape", "Hardware", "Tips", "Odds"},
	}
	var ids []string
	for _, v := range out.Variants {
		ids = append(ids, v.ID)
		var got []string
		for _, h := range []string{"Breathscape", "Hardware", "Tips", "Odds"} {
			if strings.Contains(v.Text, "\n"+h) {
				got = append(got, h)
			}
		}
		if !reflect.DeepEqual(got, want[v.ID]) {
			t.Errorf("variant %s has sections %q, want %q", v.ID, got, want[v.ID])
		}
		if v.Fallbacks["first_name"] != "there" || !strings.Contains(v.HTML, "Hi {{first_name}},") {
			t.Errorf("variant %s: greeting or its fallback missing (fallbacks %v)", v.ID, v.Fallbacks)
		}
		if !strings.Contains(v.HTML, `href="{{unsubscribe_url}}"`) || !strings.Contains(v.Text, "{{unsubscribe_url}}") {
			t.Errorf("variant %s: unsubscribe link missing", v.ID)
		}
	}
	if wantIDs := []string{"default", "seg-beta", "seg-pro", "seg-beta+pro"}; !reflect.DeepEqual(ids, wantIDs) {
		t.Errorf("variant IDs %q, want %q", ids, wantIDs)
	}
	if out.Email.ID != DefaultVariant || !reflect.DeepEqual(out.Email, out.Variants[0]) {
		t.Error("Email must be the default variant, first in Variants")
	}
	for _, h := range []string{"Breathscape", "Odds"} {
		if !strings.Contains(out.Web.HTML, h) {
			t.Errorf("web update lacks section %s, which is for everyone", h)
		}
	}
	for _, h := range []string{"Hardware", "Tips"} {
		if strings.Contains(out.Web.HTML, h) || strings.Contains(out.Web.Markdown, h) {
			t.Errorf("web update shows section %s, which is for some segments only", h)
		}
	}
	wantOnly := []EmailOnlySection{{Heading: "Hardware", Segments: []string{"beta", "pro"}}, {Heading: "Tips", Segments: []string{"pro"}}}
	if !reflect.DeepEqual(out.EmailOnly, wantOnly) {
		t.Errorf("email-only sections %+v, want %+v", out.EmailOnly, wantOnly)
	}
	if strings.Contains(out.Web.HTML, "{{") && !strings.Contains(out.Web.HTML, "{{ .Foo }}") {
		t.Error("web update carries merge tags")
	}
}

func TestVariantIDMatchesRender(t *testing.T) {
	r := newRenderer(t)
	out, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, v := range out.Variants {
		ids[v.ID] = true
	}
	for _, segs := range [][]string{nil, {"beta"}, {"Pro"}, {"pro", "beta", "vip"}, {"vip"}} {
		if id := VariantID(segs, out.TargetedSegments); !ids[id] {
			t.Errorf("recipient in %q maps to %q, which Render did not produce", segs, id)
		}
	}
}

func TestTooManyTargetedSegments(t *testing.T) {
	r := newRenderer(t)
	p := content.Parsed{Title: "T"}
	for _, s := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		p.Sections = append(p.Sections, content.Section{Heading: s, Segments: []string{s}})
	}
	_, err := r.Render(p, fixtureEdition())
	if err == nil || !strings.Contains(err.Error(), "7 segments") || !strings.Contains(err.Error(), "at most 6") {
		t.Fatalf("want an error naming 7 segments and the limit of 6, got %v", err)
	}
	p.Sections = p.Sections[:6]
	out, err := r.Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Variants) != 64 {
		t.Errorf("6 segments make %d variants, want 64", len(out.Variants))
	}
	seen := map[string]bool{}
	for _, v := range out.Variants {
		if seen[v.ID] {
			t.Errorf("variant ID %s twice", v.ID)
		}
		seen[v.ID] = true
	}
}

func TestNoTargetingMeansOneVariant(t *testing.T) {
	r := newRenderer(t)
	p := fixtureParsed()
	for i := range p.Sections {
		p.Sections[i].Segments = nil
	}
	out, err := r.Render(p, fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Variants) != 1 || out.Variants[0].ID != DefaultVariant || out.TargetedSegments != nil {
		t.Errorf("got %d variants, targeted %q", len(out.Variants), out.TargetedSegments)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	r := newRenderer(t)
	a, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := r.Render(fixtureParsed(), fixtureEdition())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two renders of the same edition differ")
		}
	}
}

func TestConcurrentRender(t *testing.T) {
	r := newRenderer(t)
	want, err := r.Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			got, err := r.Render(fixtureParsed(), fixtureEdition())
			if err == nil && !reflect.DeepEqual(got, want) {
				err = errors.New("a concurrent render differs")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
