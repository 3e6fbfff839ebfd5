// Package browsertest drives headless Chromium from tests: it loads a page
// as a person's browser would, returns the DOM after scripts ran, and saves
// screenshots for people to look at.
//
// Chromium comes from the machine (apt-get install chromium). Without it a
// test is skipped, except under CI=true where that is a failure.
// Screenshots go to $TEST_OUTPUT_DIR/<TestName>/ when that is set, else to
// testoutput/<TestName>/ beside the test's package (ignored by git).
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/testtools"
)

// candidates are the Chromium binaries looked for, in order.
var candidates = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Chromium returns the path of the Chromium binary, skipping the test when
// there is none (failing it under CI=true) and under -short.
func Chromium(t testing.TB) string {
	t.Helper()
	testtools.Integration(t, "headless Chromium")
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "headless Chromium is not installed; install it with apt-get install chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (required under CI)")
	}
	t.Skip(msg)
	return ""
}

// Option tunes one Chromium run.
type Option func(*run)

type run struct {
	width, height int
	budget        time.Duration
	timeout       time.Duration
	dark          bool
	// before are what Click does on the page before its own click.
	before []step
}

// step is a person's action on a page: a click on selector, then, when
// text is set, typing it in place of the field's content.
type step struct {
	selector string
	text     *string
}

// ClickFirst makes Click click selector (a checkbox, say) before its own
// click.
func ClickFirst(selector string) Option {
	return func(r *run) { r.before = append(r.before, step{selector: selector}) }
}

// TypeFirst makes Click click into the field matching selector, select
// its content and type text in its place, before its own click.
func TypeFirst(selector, text string) Option {
	return func(r *run) { r.before = append(r.before, step{selector: selector, text: &text}) }
}

// WindowSize sets the viewport in CSS pixels (default 1280x900).
func WindowSize(width, height int) Option {
	return func(r *run) { r.width, r.height = width, height }
}

// VirtualTimeBudget lets the page's scripts and timers run for d of
// virtual time before the DOM is taken (default 5 s), so single-page
// applications have rendered.
func VirtualTimeBudget(d time.Duration) Option {
	return func(r *run) { r.budget = d }
}

// Timeout bounds the whole Chromium run in real time (default 60 s).
func Timeout(d time.Duration) Option {
	return func(r *run) { r.timeout = d }
}

// DarkMode makes the page see prefers-color-scheme: dark, as a reader
// whose system is set to dark does.
func DarkMode() Option {
	return func(r *run) { r.dark = true }
}

func newRun(opts []Option) run {
	r := run{width: 1280, height: 900, budget: 5 * time.Second, timeout: 60 * time.Second}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// DumpDOM loads url and returns the serialised DOM once the virtual time
// budget is spent.
func DumpDOM(t testing.TB, url string, opts ...Option) string {
	t.Helper()
	r := newRun(opts)
	out := chromium(t, r, "--dump-dom", "--virtual-time-budget="+strconv.FormatInt(r.budget.Milliseconds(), 10), url)
	if len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("chromium --dump-dom %s printed nothing", url)
	}
	return string(out)
}

// Screenshot saves a PNG of url at width x height and returns its path.
// A relative outPath is taken inside OutputDir(t).
func Screenshot(t testing.TB, url, outPath string, width, height int, opts ...Option) string {
	t.Helper()
	path, _ := capture(t, url, outPath, width, height, false, opts)
	return path
}

// Capture saves a screenshot like Screenshot and returns the DOM too, from
// the same page load (one Chromium start instead of two).
func Capture(t testing.TB, url, outPath string, width, height int, opts ...Option) (shot, dom string) {
	t.Helper()
	return capture(t, url, outPath, width, height, true, opts)
}

func capture(t testing.TB, url, outPath string, width, height int, withDOM bool, opts []Option) (string, string) {
	t.Helper()
	if !filepath.IsAbs(outPath) {
		outPath = filepath.Join(OutputDir(t), outPath)
	}
	if err := os.MkdirAll(filepath.Dir(outPath), 0o755); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	_ = os.Remove(outPath)
	r := newRun(append(opts, WindowSize(width, height)))
	args := []string{"--screenshot=" + outPath, "--virtual-time-budget=" + strconv.FormatInt(r.budget.Milliseconds(), 10)}
	if withDOM {
		args = append(args, "--dump-dom")
	}
	out := chromium(t, r, append(args, url)...)
	png, err := os.ReadFile(outPath)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot of %s: no PNG written to %s (%v)", url, outPath, err)
	}
	if withDOM && len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("chromium --dump-dom %s printed nothing", url)
	}
	t.Logf("screenshot of %s (%dx%d): %s", url, width, height, outPath)
	return outPath, string(out)
}

// OutputDir is the folder this test's screenshots go to, created on first
// use: $TEST_OUTPUT_DIR/<TestName> or testoutput/<TestName>.
func OutputDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("TEST_OUTPUT_DIR")
	if root == "" {
		root = "testoutput"
	}
	dir, err := filepath.Abs(filepath.Join(root, safeName(t.Name())))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("test output folder: %v", err)
	}
	return dir
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName turns "TestPages/phone view" into "TestPages/phone_view".
func safeName(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = unsafeChars.ReplaceAllString(p, "_")
	}
	return filepath.Join(parts...)
}

// chromium runs one headless Chromium with a fresh profile and returns its
// standard output.
func chromium(t testing.TB, r run, args ...string) []byte {
	t.Helper()
	bin := Chromium(t)
	profile, err := os.MkdirTemp("", "browsertest-profile-")
	if err != nil {
		t.Fatalf("chromium profile: %v", err)
	}
	// Chromium's helper processes may still be writing as it exits, so the
	// profile is removed on a best-effort basis.
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
		"--mute-audio", "--hide-scrollbars", "--user-data-dir=" + profile,
		fmt.Sprintf("--window-size=%d,%d", r.width, r.height),
	}
	if r.dark {
		base = append(base, "--blink-settings=preferredColorScheme=0") // 0 is dark
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	setProcessGroup(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("chromium did not finish within %s: %s", r.timeout, tail(stderr.String()))
	}
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, tail(stderr.String()))
	}
	return stdout.Bytes()
}

// tail keeps the end of Chromium's chatty log, where the cause usually is.
func tail(s string) string {
	const n = 2000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
