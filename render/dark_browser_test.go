package render

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/browsertest"
)

// measureContrast reports, for every piece of visible text, the WCAG contrast of
// its computed colour on the nearest background colour behind it, and the
// background of the email's card.
const measureContrast = `<script>
addEventListener('load', function () {
  var rgb = function (s) { var m = s.match(/[\d.]+/g) || []; return m.map(Number); };
  var lum = function (c) {
    var f = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  var bgOf = function (el) {
    for (; el; el = el.parentElement) {
      var c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  var low = [], checked = 0;
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var n = walker.nextNode(); n; n = walker.nextNode()) {
    var el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('script') || el.closest('pre#contrast')) continue;
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).opacity === '0') continue; // the hidden preheader
    var fg = lum(rgb(getComputedStyle(el).color)), bg = lum(bgOf(el));
    var ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    checked++;
    if (ratio < 4.5) low.push(ratio.toFixed(2) + ' ' + el.tagName + ' ' + n.textContent.trim().slice(0, 40));
  }
  var card = document.querySelector('.hc-card');
  var pre = document.createElement('pre');
  pre.id = 'contrast';
  pre.textContent = JSON.stringify({checked: checked, low: low.slice(0, 20), card: card ? lum(bgOf(card)) : -1});
  document.body.appendChild(pre);
});
</script>`

// TestEmailReadableInBothPalettes loads the email in Chromium as a reader
// with a light and one with a dark system colour scheme sees it: every
// visible text keeps a contrast of 4.5:1, and in dark mode the card turns
// dark rather than staying a white block.
func TestEmailReadableInBothPalettes(t *testing.T) {
	browsertest.Chromium(t)
	out, err := newRenderer(t).Render(fixtureParsed(), fixtureEdition())
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Replace(out.Email.HTML, "</body>", measureContrast+"</body>", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	for _, tt := range []struct {
		name string
		opts []browsertest.Option
		dark bool
	}{
		{"light", nil, false},
		{"dark", []browsertest.Option{browsertest.DarkMode()}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dom := browsertest.DumpDOM(t, srv.URL, append(tt.opts, browsertest.WindowSize(640, 1200), browsertest.VirtualTimeBudget(2*time.Second))...)
			m := regexp.MustCompile(`<pre id="contrast">(.*?)</pre>`).FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("the page did not report its contrast:\n%s", tailOf(dom))
			}
			var got struct {
				Checked int      `json:"checked"`
				Low     []string `json:"low"`
				Card    float64  `json:"card"`
			}
			if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
				t.Fatal(err)
			}
			if got.Checked < 20 {
				t.Fatalf("only %d texts checked; the page did not lay out", got.Checked)
			}
			if len(got.Low) > 0 {
				t.Errorf("%d of %d texts under 4.5:1 contrast:\n%s", len(got.Low), got.Checked, strings.Join(got.Low, "\n"))
			}
			if dark := got.Card < 0.05; dark != tt.dark {
				t.Errorf("card background luminance %.3f; dark palette applied = %v, want %v", got.Card, dark, tt.dark)
			}
		})
	}
}
