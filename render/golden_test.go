package render

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/content"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// channelFiles lays an Output out as the files a reviewer reads: every
// variant's HTML and text, the web update, each social draft, and the
// short fields as JSON.
func channelFiles(t *testing.T, out Output) map[string]string {
	t.Helper()
	files := map[string]string{}
	type variantMeta struct {
		ID, Subject, Preheader string
		Fallbacks              map[string]string `json:",omitempty"`
	}
	var metas []variantMeta
	for _, v := range out.Variants {
		files["email."+v.ID+".html"] = v.HTML
		files["email."+v.ID+".txt"] = v.Text
		metas = append(metas, variantMeta{v.ID, v.Subject, v.Preheader, v.Fallbacks})
	}
	w := out.Web
	files["web.html"], files["web.md"] = w.HTML, w.Markdown
	social := map[string]string{}
	for _, s := range out.Social {
		files["social."+s.Platform+".txt"] = s.Text + "\n"
		social[s.Platform] = fmt.Sprintf("%d/%d", s.Length, s.Limit)
	}
	files["meta.json"] = jsonText(t, map[string]any{
		"targeted_segments": out.TargetedSegments, "variants": metas, "social_lengths": social,
		"web": map[string]any{"slug": w.Slug, "title": w.Title, "summary": w.Summary, "url": w.URL, "tags": w.Tags},
	})
	return files
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkGolden compares files with testdata/golden/<name>/, or rewrites
// that folder with -update.
func checkGolden(t *testing.T, name string, files map[string]string) {
	t.Helper()
	dir := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, body := range files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test ./render -run %s -update to create the golden files)", err, t.Name())
	}
	var onDisk []string
	for _, e := range entries {
		onDisk = append(onDisk, e.Name())
	}
	var want []string
	for f := range files {
		want = append(want, f)
	}
	slices.Sort(want)
	if !slices.Equal(onDisk, want) {
		t.Errorf("golden files %q, rendered %q (run with -update if the change is intended)", onDisk, want)
	}
	for _, f := range want {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		if got := files[f]; got != string(b) {
			t.Errorf("%s/%s differs from the golden file (run with -update if intended):\n%s", dir, f, firstDiff(string(b), got))
		}
	}
}

// firstDiff shows the first line where want and got differ.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return ""
}

func TestGoldenFixture(t *testing.T) {
	out, err := newRenderer(t).Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "fixture", channelFiles(t, out))
}

// TestGoldenNoStats checks the "by the numbers" block is left out, and a
// document without intro or targeting.
func TestGoldenNoStats(t *testing.T) {
	ed := fixtureEdition()
	ed.Stats = nil
	p := content.Parsed{Title: "Quiet week", Sections: []content.Section{
		{Category: "tips", Heading: "Tips", Blocks: []content.Block{para(text("Breathe in for four, out for six."))}},
	}}
	out, err := newRenderer(t).Render(p, ed)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{out.Email.HTML, out.Email.Text, out.Web.HTML, out.Web.Markdown} {
		if strings.Contains(s, "By the numbers") {
			t.Error("the by-the-numbers block shows without stats")
		}
	}
	checkGolden(t, "no-stats", channelFiles(t, out))
}
