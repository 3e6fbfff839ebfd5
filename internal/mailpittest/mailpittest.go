// Package mailpittest runs Mailpit from bin/ as a real SMTP sink for tests
// and reads what it received through its REST API.
package mailpittest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/internal/testtools"
)

// Server is a running Mailpit.
type Server struct {
	SMTPPort int
	// API is the base URL of the REST API, e.g. http://127.0.0.1:8025.
	API string
}

// Start runs Mailpit on free loopback ports until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := testtools.Tool(t, "mailpit")
	smtpPort, httpPort := testtools.FreePort(t), testtools.FreePort(t)
	s := &Server{SMTPPort: smtpPort, API: fmt.Sprintf("http://127.0.0.1:%d", httpPort)}
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"), "--disable-version-check", "--smtp-disable-rdns", "--quiet")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(s.API + "/livez")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
	}
}

// Message is one received message as Mailpit lists it.
type Message struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
}

// List is Mailpit's message list.
type List struct {
	Total    int       `json:"total"`
	Messages []Message `json:"messages"`
}

// Messages lists up to limit received messages, newest first.
func (s *Server) Messages(t testing.TB, limit int) List {
	t.Helper()
	var l List
	GetJSON(t, fmt.Sprintf("%s/api/v1/messages?limit=%d", s.API, limit), &l)
	return l
}

// GetJSON decodes the JSON at url into v, failing the test on any error.
func GetJSON(t testing.TB, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// Full is one message with its bodies.
type Full struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	Text    string `json:"Text"`
	HTML    string `json:"HTML"`
}

// Message reads one message with its text and HTML bodies.
func (s *Server) Message(t testing.TB, id string) Full {
	t.Helper()
	var m Full
	GetJSON(t, fmt.Sprintf("%s/api/v1/message/%s", s.API, id), &m)
	return m
}

// WaitFor returns the newest message to address whose subject starts with
// prefix and that is not in seen, waiting up to timeout for it.
func (s *Server) WaitFor(t testing.TB, to, prefix string, seen map[string]bool, timeout time.Duration) Full {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		for _, m := range s.Messages(t, 200).Messages {
			if seen[m.ID] || !strings.HasPrefix(m.Subject, prefix) {
				continue
			}
			for _, addr := range m.To {
				if strings.EqualFold(addr.Address, to) {
					return s.Message(t, m.ID)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no message %q… to %s within %s", prefix, to, timeout)
		}
	}
}
