package render

import (
	"reflect"
	"strings"
	"testing"
)

func TestProofNoteNamesEmailOnlySections(t *testing.T) {
	out, err := newRenderer(t).Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	proof := ProofNote(out.Email, out.EmailOnly)
	for _, want := range []string{"Email-only sections", "Hardware — for beta, pro only", "Tips — for pro only"} {
		if !strings.Contains(proof.Text, want) || !strings.Contains(proof.HTML, want) {
			t.Errorf("proof does not say %q", want)
		}
	}
	if body := strings.Index(proof.HTML, "<body"); body < 0 || strings.Index(proof.HTML, "Email-only") < body {
		t.Error("the note is not inside the body")
	}
	if got := ProofNote(out.Email, nil); !reflect.DeepEqual(got, out.Email) {
		t.Error("a proof with no email-only section changed")
	}
	evil := ProofNote(out.Email, []EmailOnlySection{{Heading: "<b>{{first_name}}</b>", Segments: []string{"x"}}})
	if strings.Contains(evil.HTML, "<b>{{first_name") || strings.Contains(evil.Text, "{{first_name}}</b>") {
		t.Error("a heading became markup or a merge tag in the note")
	}
}
