package hostile

import (
	"errors"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources"
)

// FuzzTimeout bounds one fuzz input, as the hostile-document test bounds
// one document: fuzz inputs are small, so taking longer means a blow-up.
const FuzzTimeout = 10 * time.Second

// DefaultChecker is a Checker over the embedded templates, failing tb when
// they do not render.
func DefaultChecker(tb testing.TB) *Checker {
	tb.Helper()
	r, err := render.New(render.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewChecker(r)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Converted runs a converter on one fuzz input and checks its answer: an
// error must wrap sources.ErrInvalid (so the fetch is not retried); a
// document must hold clean text and, when it parses, render an edition
// that passes every Checker check. Each step is bounded by FuzzTimeout.
func (c *Checker) Converted(t *testing.T, convert func() (content.Document, error)) {
	t.Helper()
	var doc content.Document
	var err error
	Within(t, FuzzTimeout, func() { doc, err = convert() })
	if err != nil {
		if !errors.Is(err, sources.ErrInvalid) {
			t.Fatalf("error %v does not wrap sources.ErrInvalid", err)
		}
		return
	}
	var problems []string
	Within(t, FuzzTimeout, func() { problems = c.Document(doc) })
	for _, p := range problems {
		t.Error(p)
	}
}
