package render

import (
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/internal/browsertest"
)

// measure reports, once the page has laid out, how wide the document is
// against its window and which elements reach past the window's right
// edge. The email runs in a frame of the width tested (headless Chromium
// windows are at least 500 px wide), so the report goes to the top page.
const measure = `<script>
addEventListener('load', function () {
  var w = document.documentElement.clientWidth, wide = [];
  var scrolls = function (el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX === 'auto' || getComputedStyle(p).overflowX === 'scroll') return true;
    }
    return false;
  };
  document.querySelectorAll('body *').forEach(function (el) {
    if (scrolls(el)) return; // inside a frame that scrolls on its own; the frame itself is checked
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 1) wide.push(el.tagName + ' ' + Math.round(r.right) + ' ' + (el.textContent || el.getAttribute('src') || '').slice(0, 40));
  });
  var pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify({window: w, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 10)});
  window.top.document.body.appendChild(pre);
});
</script>`

// overflowDocument has what pushes email layouts wider than a phone: a long
// URL as link text, a long word, a wide table, long code and a large image.
func overflowDocument(imageURL string) content.Parsed {
	long := "https://halcytone.example/updates/2026-w48/a-very-long-path-segment-that-never-breaks?utm_source=newsletter&utm_medium=email&utm_campaign=weekly"
	word := strings.Repeat("Breathscapeforeverybody", 6)
	return content.Parsed{
		Title: "Halcytone Weekly " + word,
		Intro: []content.Block{para(text("Read "), content.Inline{Text: long, Link: long}, text(" today."))},
		Sections: []content.Section{
			{Category: "hardware", Heading: "Hardware", Blocks: []content.Block{
				para(text("The word of the week is " + word + ".")),
				{Kind: content.KindImage, URL: imageURL, Alt: "A wide sensor photo"},
				{Kind: content.KindTable, HeaderRow: true, Rows: [][]content.Cell{
					cells("Model", "Battery", "Firmware", "Download", "Notes"),
					cells("S1", "5 days", "2.1.0-beta.3+build.20261123", long, word),
				}},
				{Kind: content.KindCode, Text: "halcytone-cli update --channel beta --url " + long + "\n"},
			}},
		},
	}
}

type layout struct {
	Window int      `json:"window"`
	Scroll int      `json:"scroll"`
	Wide   []string `json:"wide"`
}

// TestEmailFitsPhoneAndDesktop opens the email in headless Chromium at a
// phone's 375 px and the email's 600 px: nothing may reach past the
// window, so no reader scrolls sideways.
func TestEmailFitsPhoneAndDesktop(t *testing.T) {
	browsertest.Chromium(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/wide.png", func(w http.ResponseWriter, r *http.Request) {
		img := image.NewRGBA(image.Rect(0, 0, 1200, 300))
		for x := range 1200 {
			for y := range 300 {
				img.Set(x, y, color.RGBA{15, 76, 92, 255})
			}
		}
		w.Header().Set("Content-Type", "image/png")
		_ = png.Encode(w, img)
	})
	out, err := newRenderer(t).Render(overflowDocument(srv.URL+"/wide.png"), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(out.Email.HTML, "</body>", measure+"</body>", 1)
	mux.HandleFunc("/email.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body style="margin:0"><iframe src="/email.html" style="border:0;width:%spx;height:4000px"></iframe></body></html>`,
			r.URL.Query().Get("width"))
	})
	for _, width := range []int{375, 600} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			_, dom := browsertest.Capture(t, fmt.Sprintf("%s/frame?width=%d", srv.URL, width), fmt.Sprintf("email-%d.png", width), max(width, 640), 1200,
				browsertest.VirtualTimeBudget(2*time.Second))
			m := regexp.MustCompile(`<pre id="layout">(.*?)</pre>`).FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("the page did not report its layout:\n%s", tailOf(dom))
			}
			var l layout
			if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &l); err != nil {
				t.Fatal(err)
			}
			if l.Window != width {
				t.Fatalf("window %d px wide, want %d", l.Window, width)
			}
			if l.Scroll > l.Window || len(l.Wide) > 0 {
				t.Errorf("at %d px the email is %d px wide; elements past the edge:\n%s", width, l.Scroll, strings.Join(l.Wide, "\n"))
			}
		})
	}
}

func tailOf(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
