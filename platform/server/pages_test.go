package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestPages(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	tricky := sampleRequest("tricky-title")
	tricky.Title = `Breath & <script>alert("x")</script> "quotes"`
	tricky.Summary = "Less <b>is</b> more & calmer"
	tricky.Tags = []string{"<tag>"}
	mustCreate(t, s, "", sampleRequest("2026-w48-halcytone-weekly"))
	mustCreate(t, s, "", tricky)

	tests := []struct {
		name, path string
		status     int
		want       []string
		notWant    []string
	}{
		{"list", "/updates", 200,
			[]string{`<a href="/updates/2026-w48-halcytone-weekly">Halcytone Weekly</a>`, "Edition 2026-W48",
				"Breathscape 2.3 ships box breathing", `<meta name="viewport"`, `href="/updates/feed.xml"`},
			[]string{"Older updates"}},
		{"list escapes", "/updates", 200,
			[]string{"Breath &amp; &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &#34;quotes&#34;", "Less &lt;b&gt;is&lt;/b&gt; more &amp; calmer"},
			[]string{`<script>alert`, "<b>is</b>"}},
		{"post", "/updates/2026-w48-halcytone-weekly", 200,
			[]string{"<h1>Halcytone Weekly</h1>", "Edition 2026-W48", "<h2>Breathscape</h2>",
				"Version 2.3 adds <strong>box breathing</strong>", "<li>breathscape</li>", "<li>hardware</li>",
				`<link rel="canonical" href="https://halcytone.example/updates/2026-w48-halcytone-weekly">`},
			nil},
		{"post escapes", "/updates/tricky-title", 200,
			[]string{"<h1>Breath &amp; &lt;script&gt;", "<li>&lt;tag&gt;</li>"},
			[]string{`<script>alert`}},
		{"unknown slug", "/updates/no-such-update", 404,
			[]string{"Page not found", "/updates/no-such-update", `<a href="/updates">`}, nil},
		{"unknown path", "/elsewhere", 404, []string{"Page not found"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodGet, base+tt.path, "", nil, nil)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			wantSecurityHeaders(t, r.header)
			page := string(r.body)
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(page, w) {
					t.Errorf("page contains %q", w)
				}
			}
			if strings.Contains(page, "<script") {
				t.Errorf("page carries a script")
			}
		})
	}
}

func wantSecurityHeaders(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, part := range []string{"default-src 'self'", "img-src https: data: 'self'", "style-src 'unsafe-inline' 'self'"} {
		if !strings.Contains(csp, part) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, part)
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", h.Get("X-Content-Type-Options"))
	}
}

func TestListPagePages(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	for i := 1; i <= PageSize+3; i++ {
		req := sampleRequest(fmt.Sprintf("weekly-%d", i))
		req.Title = fmt.Sprintf("Weekly number %d", i)
		mustCreate(t, s, "", req)
	}
	first := string(do(t, http.MethodGet, base+"/updates", "", nil, nil).body)
	older := fmt.Sprintf(`<a href="/updates?before=%d">Older updates`, 4)
	if strings.Count(first, `class="more"`) != PageSize || !strings.Contains(first, older) ||
		!strings.Contains(first, "Weekly number 13") || strings.Contains(first, "Weekly number 3<") {
		t.Fatalf("first page: want updates 13..4 and a link %s", older)
	}
	second := string(do(t, http.MethodGet, base+"/updates?before=4", "", nil, nil).body)
	if strings.Count(second, `class="more"`) != 3 || strings.Contains(second, "Older updates") {
		t.Errorf("second page: want updates 3..1 without an older link")
	}
}

func TestEmptyAndRedirects(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	base := startHTTP(t, s)
	if page := string(do(t, http.MethodGet, base+"/updates", "", nil, nil).body); !strings.Contains(page, "No updates have been published yet") {
		t.Errorf("empty list page lacks its message")
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{"/": "/updates", "/updates/": "/updates"} {
		resp, err := noFollow.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 3 || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want a redirect to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	if r := do(t, http.MethodGet, base+"/healthz", "", nil, nil); r.status != 200 || string(r.body) != "ok\n" {
		t.Errorf("healthz %d %q", r.status, r.body)
	}
}
