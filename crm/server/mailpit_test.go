package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// mailpitBinary finds bin/mailpit at the repository root (where the
// Makefile installs it).
func mailpitBinary(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	bin := filepath.Join(dir, "bin", "mailpit")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("bin/mailpit is required under CI (make tools installs it): %v", err)
		}
		t.Skipf("bin/mailpit not installed (run make tools); the in-process SMTP tests still ran: %v", err)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startMailpit runs Mailpit on free loopback ports and returns its SMTP
// port and API base URL.
func startMailpit(t *testing.T) (int, string) {
	bin := mailpitBinary(t)
	smtpPort, httpPort := freePort(t), freePort(t)
	api := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
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
		resp, err := http.Get(api + "/livez")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return smtpPort, api
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %v", err)
		}
	}
}

type mailpitList struct {
	Total    int `json:"total"`
	Messages []struct {
		ID      string `json:"ID"`
		Subject string `json:"Subject"`
		To      []struct {
			Address string `json:"Address"`
		} `json:"To"`
	} `json:"messages"`
}

func getJSON(t *testing.T, url string, v any) {
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

func TestDeliveryToMailpit(t *testing.T) {
	port, api := startMailpit(t)
	s, client, _ := smtpServer(t, port, func(c *Config) { c.Delivery.Concurrency = 3 })
	importCSV(t, s, "email,name,segments,city\nbo@example.com,Bo Jones,beta,Oslo\nann@example.com,Ann Lee,beta,\ncy@example.org,Cy Park,beta,Rome\n")
	sendToSegment(t, client, "2026-W49", "beta")
	flush(t, s)
	var list mailpitList
	for deadline := time.Now().Add(5 * time.Second); list.Total < 3 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		getJSON(t, api+"/api/v1/messages", &list)
	}
	if list.Total != 3 {
		t.Fatalf("mailpit holds %d messages, want 3", list.Total)
	}
	subjects := map[string]string{}
	for _, m := range list.Messages {
		subjects[m.To[0].Address] = m.Subject
	}
	want := map[string]string{"bo@example.com": "News for Bo", "ann@example.com": "News for Ann", "cy@example.org": "News for Cy"}
	for addr, subj := range want {
		if subjects[addr] != subj {
			t.Errorf("%s got subject %q, want %q", addr, subjects[addr], subj)
		}
	}
	var headers map[string][]string
	getJSON(t, api+"/api/v1/message/"+list.Messages[0].ID+"/headers", &headers)
	if len(headers["List-Unsubscribe-Post"]) != 1 || len(headers["List-Unsubscribe"]) != 1 || len(headers["X-Newsletter-Id"]) != 1 {
		t.Errorf("headers at mailpit: %v", headers)
	}
	page, err := client.Deliveries(context.Background(), "2026-W49", crm.DeliverySent, "", 0)
	if err != nil || page.Counts[crm.DeliverySent] != 3 {
		t.Errorf("delivery log %+v, %v", page.Counts, err)
	}
}
