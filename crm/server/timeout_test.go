package server

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/halcytone/contentgen/httpapi"
)

// A client that sends its headers slowly is cut off by ReadHeaderTimeout
// instead of holding the connection.
func TestSlowClientIsCutOff(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	timeouts := httpapi.ServerTimeouts{ReadHeader: 200 * time.Millisecond, Read: time.Second, Write: time.Second, Idle: time.Second}
	hs := httpapi.NewServer("", s.Handler(), timeouts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })

	fast, _ := roundTrip(t, ln.Addr().String(), 0)
	if !strings.HasPrefix(fast, "HTTP/1.1 200") {
		t.Fatalf("a prompt client got %q", fast)
	}
	// Ten header lines 300 ms apart take 3 s, fifteen times the 200 ms
	// the server allows: it must close the connection while they come,
	// however slowly a busy machine runs either side.
	slow, cut := roundTrip(t, ln.Addr().String(), 300*time.Millisecond)
	if !cut {
		t.Errorf("slow client could send all its headers; the server held the connection")
	}
	if strings.HasPrefix(slow, "HTTP/1.1 200") {
		t.Errorf("slow client was served: %q", slow)
	}
}

// roundTrip sends GET /healthz with ten header lines, pausing between
// them, and returns the first line of whatever the server answered and
// whether the server closed the connection before the headers ended.
func roundTrip(t *testing.T, addr string, pause time.Duration) (string, bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	lines := []string{"GET /healthz HTTP/1.1", "Host: crm.test"}
	for range 8 {
		lines = append(lines, "X-Padding: 1")
	}
	for _, l := range lines {
		if _, err := io.WriteString(conn, l+"\r\n"); err != nil {
			return "", true // the server closed the connection
		}
		time.Sleep(pause)
	}
	_, err = io.WriteString(conn, "Connection: close\r\n\r\n")
	status, _ := bufio.NewReader(conn).ReadString('\n')
	return status, err != nil
}
