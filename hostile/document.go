package hostile

import (
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
)

// DocumentProblems returns every text of a converted document that is not
// valid UTF-8 or holds a control character: a converter must never let
// one through (a workflow payload would alter it, a channel refuse it).
func DocumentProblems(doc content.Document) []string {
	var problems []string
	check := func(where, s string) {
		for _, p := range textProblems(s) {
			problems = append(problems, where+": "+p)
		}
	}
	check("title", doc.Title)
	for _, w := range doc.Warnings {
		check("warning", w)
	}
	walkBlocks(doc.Blocks, check)
	return problems
}

func walkBlocks(bs []content.Block, check func(where, s string)) {
	inlines := func(where string, ins []content.Inline) {
		for _, in := range ins {
			check(where, in.Text)
			check(where+" link", in.Link)
		}
	}
	for _, b := range bs {
		where := string(b.Kind)
		inlines(where, b.Inlines)
		for _, it := range b.Items {
			inlines(where+" item", it.Inlines)
			walkBlocks(it.Children, check)
		}
		walkBlocks(b.Children, check)
		for _, row := range b.Rows {
			for _, cell := range row {
				inlines(where+" cell", cell.Inlines)
			}
		}
		for _, s := range []string{b.Icon, b.Language, b.Text, b.URL, b.Alt} {
			check(where, s)
		}
	}
}

// Document parses doc with the default taxonomy and renders it, returning
// every broken invariant of the document and, when it renders, of the
// edition. A parse or render error is no problem: a hostile document may
// fail, as long as it fails with an error.
func (c *Checker) Document(doc content.Document) []string {
	problems := DocumentProblems(doc)
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	if err != nil {
		return problems
	}
	out, err := c.r.Render(p, render.Edition{ID: "2026-W48", WebBaseURL: "https://example.com"})
	if err != nil {
		return problems
	}
	problems = append(problems, c.Output(out)...)
	return append(problems, Audience(p, out)...)
}
