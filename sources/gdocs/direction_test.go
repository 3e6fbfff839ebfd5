package gdocs

import (
	"context"
	"testing"

	"google.golang.org/api/docs/v1"
)

// TestDirectionFromParagraphs: the document's direction is what most of
// its paragraphs are set to in Docs, not guessed from the text.
func TestDirectionFromParagraphs(t *testing.T) {
	dir := func(els ...*docs.StructuralElement) string {
		d := &docs.Document{Title: "Weekly", Body: &docs.Body{Content: els}}
		return convert(context.Background(), d, nil).Dir
	}
	with := func(el *docs.StructuralElement, direction string) *docs.StructuralElement {
		if el.Paragraph.ParagraphStyle == nil {
			el.Paragraph.ParagraphStyle = &docs.ParagraphStyle{}
		}
		el.Paragraph.ParagraphStyle.Direction = direction
		return el
	}
	// Latin text in paragraphs set right-to-left: the setting decides.
	if got := dir(with(heading("Tips"), "RIGHT_TO_LEFT"), with(para("Breathe in."), "RIGHT_TO_LEFT"), with(para("Out."), "LEFT_TO_RIGHT")); got != "rtl" {
		t.Errorf("mostly right-to-left paragraphs: dir %q, want rtl", got)
	}
	if got := dir(with(heading("Tips"), "LEFT_TO_RIGHT"), with(para("Breathe in."), "LEFT_TO_RIGHT")); got != "ltr" {
		t.Errorf("left-to-right paragraphs: dir %q, want ltr", got)
	}
	// Blank paragraphs do not vote.
	if got := dir(with(para("Tips"), "LEFT_TO_RIGHT"), with(para(""), "RIGHT_TO_LEFT"), with(para(" "), "RIGHT_TO_LEFT")); got != "ltr" {
		t.Errorf("blank right-to-left paragraphs: dir %q, want ltr", got)
	}
	if got := dir(para("Tips")); got != "" {
		t.Errorf("no direction set: dir %q, want empty", got)
	}
}
