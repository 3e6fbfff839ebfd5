package mergetag_test

import (
	"strings"
	"testing"

	"github.com/halcytone/contentgen/crm/mergetag"
)

// mergeParts merges split parts one by one, as a sender that prepared the
// literal text does.
func mergeParts(parts []mergetag.Part, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Field == "" {
			b.WriteString(p.Literal)
		} else if v, ok := lookup(p.Field); ok {
			b.WriteString(v)
		}
	}
	return b.String()
}

func TestSplitMergesLikeMerge(t *testing.T) {
	values := map[string]string{"name": "Ann {{open}}", "attr.city": "Oslo"}
	lookup := func(f string) (string, bool) { v, ok := values[f]; return v, ok }
	for _, s := range []string{
		"", "plain", "{{name}}", "Hi {{name}} from {{attr.city}}!", "{{open}}name}}", "{{{{name}}}}",
		"{{bad field}} {{name", "}}{{", "{{missing}}x{{name}}{{name}}", "a{{open}}{{open}}b", "{{" + strings.Repeat("x", 65) + "}}",
	} {
		got := mergeParts(mergetag.Split(s), lookup)
		if want := mergetag.Merge(s, lookup, nil, nil); got != want {
			t.Errorf("Split(%q) merges to %q, Merge gives %q", s, got, want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Hi {{name}} {{open}} {{x", "v")
	f.Fuzz(func(t *testing.T, s, v string) {
		lookup := func(string) (string, bool) { return v, true }
		if got, want := mergeParts(mergetag.Split(s), lookup), mergetag.Merge(s, lookup, nil, nil); got != want {
			t.Errorf("Split(%q) merges to %q, Merge gives %q", s, got, want)
		}
	})
}
