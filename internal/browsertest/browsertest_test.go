package browsertest

import (
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// spa renders its content from a script after a delay, like a single-page
// application waiting for its first API reply.
const spa = `<!doctype html>
<html><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>spa</title></head>
<body style="background:#2f6f7e"><div id="app">loading</div>
<script>
setTimeout(function () {
  document.getElementById("app").textContent = "rendered by script after " + location.pathname;
}, 1500);
</script></body></html>`

func serveSPA(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(spa))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestDumpDOMRunsScripts(t *testing.T) {
	Chromium(t)
	url := serveSPA(t) + "/workflows"
	tests := []struct {
		name   string
		budget time.Duration
		want   string
	}{
		{"budget covers the timer", 3 * time.Second, "rendered by script after /workflows"},
		{"budget ends before the timer", 100 * time.Millisecond, ">loading<"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dom := DumpDOM(t, url, VirtualTimeBudget(tt.budget))
			if !strings.Contains(dom, tt.want) {
				t.Errorf("DOM lacks %q:\n%s", tt.want, dom)
			}
		})
	}
}

func TestScreenshotSize(t *testing.T) {
	Chromium(t)
	t.Setenv("TEST_OUTPUT_DIR", t.TempDir())
	url := serveSPA(t)
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		var path string
		if size.w < 400 {
			var dom string
			path, dom = Capture(t, url, "page.png", size.w, size.h)
			if !strings.Contains(dom, "rendered by script after /") {
				t.Errorf("captured DOM lacks the script's text:\n%s", dom)
			}
		} else {
			path = Screenshot(t, url, "page.png", size.w, size.h)
		}
		if !strings.HasPrefix(path, os.Getenv("TEST_OUTPUT_DIR")) || filepath.Base(filepath.Dir(path)) != "TestScreenshotSize" {
			t.Errorf("screenshot at %s, want TEST_OUTPUT_DIR/TestScreenshotSize/page.png", path)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s is not a PNG: %v", path, err)
		}
		if cfg.Width != size.w || cfg.Height != size.h {
			t.Errorf("screenshot is %dx%d, want %dx%d", cfg.Width, cfg.Height, size.w, size.h)
		}
	}
}

func TestOutputDir(t *testing.T) {
	tests := []struct{ name, want string }{
		{"TestPages", "TestPages"},
		{"TestPages/phone view", "TestPages/phone_view"},
		{"TestA/b:c*d/#01", "TestA/b_c_d/_01"},
	}
	for _, tt := range tests {
		if got := safeName(tt.name); got != tt.want {
			t.Errorf("safeName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	root := t.TempDir()
	t.Setenv("TEST_OUTPUT_DIR", root)
	dir := OutputDir(t)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() || dir != filepath.Join(root, "TestOutputDir") {
		t.Errorf("OutputDir = %s (%v), want an existing folder %s/TestOutputDir", dir, err, root)
	}
}
