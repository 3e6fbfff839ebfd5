package server

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hidingProxy forwards to a real SMTP server and hides the extensions
// named in hide from its EHLO reply, so each client path can be tested
// against a server that does not offer them.
type hidingProxy struct {
	ln    net.Listener
	conns atomic.Int32
}

func startHidingProxy(t *testing.T, target int, hide ...string) (*hidingProxy, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &hidingProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.conns.Add(1)
			s, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(target)))
			if err != nil {
				c.Close()
				continue
			}
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() {
				defer c.Close()
				r := bufio.NewReader(s)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					keep := true
					for _, h := range hide {
						if strings.HasPrefix(line, "250-"+h) {
							keep = false
						}
					}
					if keep {
						if _, err := io.WriteString(c, line); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return p, ln.Addr().(*net.TCPAddr).Port
}

// TestSMTPClientPaths sends through every path the client has (pipelined
// BDAT, pipelined DATA, one command at a time with BDAT or DATA) and wants
// each message received byte for byte, refusals reported with their code,
// and one connection reused throughout.
func TestSMTPClientPaths(t *testing.T) {
	msg := []byte("Subject: paths\r\n\r\nfirst line\r\n.a line that starts with a dot\r\n..two dots\r\nend\r\n")
	for _, tc := range []struct {
		name string
		hide []string
	}{
		{"pipelining and chunking", nil},
		{"pipelining, no chunking", []string{"CHUNKING"}},
		{"chunking, no pipelining", []string{"PIPELINING"}},
		{"neither", []string{"PIPELINING", "CHUNKING"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, port := startSink(t)
			k.permFails["gone@example.com"] = true
			k.tempFails["later@example.com"] = 1
			proxy, pport := startHidingProxy(t, port, tc.hide...)
			m, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: pport, TLS: "none", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ctx := context.Background()
			if err := m.Send(ctx, "news@example.com", "a@example.com", msg); err != nil {
				t.Fatal(err)
			}
			err = m.Send(ctx, "news@example.com", "gone@example.com", msg)
			if err == nil || !permanent(err) || !strings.Contains(err.Error(), "550") {
				t.Errorf("refused recipient: %v, want a permanent 550", err)
			}
			err = m.Send(ctx, "news@example.com", "later@example.com", msg)
			if err == nil || permanent(err) || !strings.Contains(err.Error(), "451") {
				t.Errorf("deferred recipient: %v, want a temporary 451", err)
			}
			if err := m.Send(ctx, "news@example.com", "later@example.com", msg); err != nil {
				t.Fatal(err)
			}
			got := k.messages()
			if len(got) != 2 {
				t.Fatalf("%d messages received, want 2", len(got))
			}
			for _, g := range got {
				if !bytes.Equal(g.data, msg) || g.from != "news@example.com" {
					t.Errorf("received from %q:\n%q\nwant\n%q", g.from, g.data, msg)
				}
			}
			if n := proxy.conns.Load(); n != 1 {
				t.Errorf("%d connections, want 1 reused after refusals", n)
			}
		})
	}
}

func TestDotStuff(t *testing.T) {
	for in, want := range map[string]string{
		".a\r\n":         "..a\r\n",
		"a\r\n.b\r\n..c": "a\r\n..b\r\n...c",
		"no dots":        "no dots",
	} {
		if got := string(dotStuff(nil, []byte(in))); got != want {
			t.Errorf("dotStuff(%q) = %q, want %q", in, got, want)
		}
	}
}
