package hostile

import (
	"os"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/render"
	"github.com/halcytone/contentgen/sources/markdown"
)

func TestProfScratch(t *testing.T) {
	f := os.Getenv("PROF_FILE")
	if f == "" { return }
	data, _ := os.ReadFile(f)
	r, _ := render.New(render.Options{})
	s := time.Now()
	doc, err := markdown.Convert(data)
	t.Log("convert", time.Since(s), err); s = time.Now()
	p, err := content.Parse(doc, content.DefaultTaxonomy())
	t.Log("parse", time.Since(s), err); s = time.Now()
	_, err = r.Render(p, testEdition)
	t.Log("render", time.Since(s), err)
}
