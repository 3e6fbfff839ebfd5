package hostile

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/render"
)

var explore = flag.String("explore", "", "")

func TestExplore(t *testing.T) {
	if *explore == "" { return }
	r, _ := render.New(render.Options{})
	c, err := NewChecker(r)
	if err != nil { t.Fatal(err) }
	files, _ := filepath.Glob(*explore)
	for _, f := range files {
		data, _ := os.ReadFile(f)
		format := filepath.Base(filepath.Dir(f))
		start := time.Now()
		res := run(t, r, format, data)
		fmt.Printf("=== %s (%s) stage=%s err=%v\n", f, time.Since(start), res.stage, res.err)
		fmt.Printf("  warnings: %q\n", res.doc.Warnings)
		if res.err == nil {
			for _, p := range c.Output(res.out) { fmt.Println("  PROBLEM", p) }
			fmt.Println("  sizes", payloadSize(t, res.doc), payloadSize(t, res.out))
			if strings.Contains(f, os.Getenv("DUMP")) && os.Getenv("DUMP") != "" {
				fmt.Println(res.out.Email.Text, res.out.Web.HTML, res.out.Web.Markdown)
			}
		}
	}
}
