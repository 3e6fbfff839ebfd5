package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/pgtest"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// Environment of a dispatcher process started by these tests.
const (
	envChildDB    = "CRM_TEST_DISPATCHER_DB"
	envChildPort  = "CRM_TEST_DISPATCHER_SMTP_PORT"
	envChildName  = "CRM_TEST_DISPATCHER_NAME"
	childConc     = 8
	childLease    = 5 * time.Second
	crashVariantN = 40
)

// TestDispatcherProcess is the CRM dispatcher run as its own process by
// the crash tests, so they can kill it. It does nothing when run directly.
func TestDispatcherProcess(t *testing.T) {
	url := os.Getenv(envChildDB)
	if url == "" {
		t.Skip("run by the crash tests")
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	port, _ := strconv.Atoi(os.Getenv(envChildPort))
	mailer, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", HelloName: os.Getenv(envChildName),
		Timeout: 5 * time.Second, MaxIdle: childConc})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{DB: db, Keys: httpapi.NewKeys(testKey), PublicURL: "https://crm.example.com", From: "Halcytone <news@example.com>",
		Mailer: mailer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Delivery: DeliveryConfig{Concurrency: childConc, Lease: childLease, PollInterval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// dispatcherProcess starts TestDispatcherProcess in a new process.
func dispatcherProcess(t *testing.T, dbURL string, smtpPort int, name string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDispatcherProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envChildDB+"="+dbURL, envChildPort+"="+strconv.Itoa(smtpPort), envChildName+"="+name)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("dispatcher %s output:\n%s", name, out.String())
		}
	})
	return cmd
}

// logSink is an SMTP server that logs who received which Message-ID from
// which client (by its EHLO name).
type logSink struct {
	mu  sync.Mutex
	log []sinkEntry
}

type sinkEntry struct{ to, messageID, client string }

func startLogSink(t testing.TB) (*logSink, int) {
	t.Helper()
	k := &logSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &logSession{k: k, client: c.Hostname()}, nil
	}))
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	// Killed clients reset their connections; that is the test, not news.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return k, ln.Addr().(*net.TCPAddr).Port
}

func (k *logSink) entries() []sinkEntry {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]sinkEntry(nil), k.log...)
}

func (k *logSink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.log)
}

type logSession struct {
	k      *logSink
	client string
	to     string
}

func (s *logSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *logSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *logSession) Reset()        { s.to = "" }
func (s *logSession) Logout() error { return nil }

func (s *logSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	id := ""
	if i := bytes.Index(data, []byte("\r\nMessage-ID: ")); i >= 0 {
		rest := data[i+len("\r\nMessage-ID: "):]
		id = string(rest[:bytes.IndexByte(rest, '\r')])
	}
	s.k.mu.Lock()
	s.k.log = append(s.k.log, sinkEntry{to: s.to, messageID: id, client: s.client})
	s.k.mu.Unlock()
	return nil
}

// queueNewsletter queues n messages of a ~10 KB variant, 1,000 a request.
func queueNewsletter(t testing.TB, s *Server, newsletter string, n int) []string {
	t.Helper()
	v := crm.Variant{ID: "big", Subject: "Edition for {{first_name}}",
		HTML: "<html><body>" + strings.Repeat("<p>Hello {{name}}, a paragraph of the edition. </p>\n", crashVariantN*5) + "</body></html>",
		Text: strings.Repeat("Hello {{name}}, a paragraph of the edition.\n", crashVariantN*5)}
	var all []string
	for from := 0; from < n; from += 1000 {
		req := crm.NewsletterRequest{NewsletterID: newsletter, Variants: []crm.Variant{v}}
		for i := from; i < min(n, from+1000); i++ {
			addr := fmt.Sprintf("reader%05d@example.net", i)
			all = append(all, addr)
			req.Messages = append(req.Messages, crm.Message{To: addr, Name: fmt.Sprintf("Reader %d", i), Variant: v.ID})
		}
		postBatch(t, s, fmt.Sprintf("%s/%d", newsletter, from), req)
	}
	return all
}

// waitFor polls cond every few milliseconds for up to wait.
func waitFor(t *testing.T, wait time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(wait); !cond(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", wait, what)
		}
	}
}

// checkSinkLog wants every address to have received exactly one distinct
// message (one Message-ID), and returns how many were received again.
func checkSinkLog(t *testing.T, log []sinkEntry, addrs []string) (resent int) {
	t.Helper()
	ids := map[string]string{}
	for _, e := range log {
		if first, ok := ids[e.to]; ok {
			resent++
			if e.messageID != first {
				t.Errorf("%s received Message-ID %s after %s: a re-send must keep the original", e.to, e.messageID, first)
			}
			continue
		}
		if e.messageID == "" {
			t.Errorf("message to %s has no Message-ID", e.to)
		}
		ids[e.to] = e.messageID
	}
	for _, a := range addrs {
		if _, ok := ids[a]; !ok {
			t.Errorf("%s received nothing", a)
		}
	}
	if len(ids) != len(addrs) {
		t.Errorf("%d addresses received mail, want %d", len(ids), len(addrs))
	}
	return resent
}

func allSent(t *testing.T, db *sqldb.DB, newsletter string, n int) bool {
	var sent int
	if err := db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE newsletter_id = $1 AND status = $2`, newsletter, crm.DeliverySent).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	return sent == n
}

// TestCrashResendsAtMostInFlight kills the dispatcher process mid-send
// three times. Outcomes are committed as the server accepts each message,
// so each kill may re-send at most the messages in flight, with their
// original Message-IDs.
func TestCrashResendsAtMostInFlight(t *testing.T) {
	const total, kills = 3000, 3
	k, port := startLogSink(t)
	dbURL := t.TempDir() + "/crm.db"
	s := newTestServer(t, openDB(t, dbURL), nil)
	addrs := queueNewsletter(t, s, "crash", total)
	for i := range kills {
		before := k.count()
		cmd := dispatcherProcess(t, dbURL, port, fmt.Sprintf("dispatcher-%d", i))
		waitFor(t, 60*time.Second, "the dispatcher to send 300 more messages", func() bool { return k.count() >= before+300 })
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if k.count() >= total {
			t.Fatalf("kill %d came after everything was sent; the test proves nothing", i+1)
		}
	}
	cmd := dispatcherProcess(t, dbURL, port, "dispatcher-last")
	waitFor(t, 120*time.Second, "every delivery to be recorded as sent", func() bool { return allSent(t, s.db, "crash", total) })
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	resent := checkSinkLog(t, k.entries(), addrs)
	if resent > childConc*kills {
		t.Errorf("%d messages re-sent after %d kills, want at most %d (concurrency × kills)", resent, kills, childConc*kills)
	}
	t.Logf("%d messages, %d kills, %d re-sent (bound %d)", total, kills, resent, childConc*kills)
}

// TestTwoDispatchersShareAPostgresQueue runs two dispatcher processes on
// one PostgreSQL queue and kills one mid-way: both send, the survivor
// takes over the dead one's claims when their lease expires, and every
// address receives one message (a re-send, at most one per message in
// flight at the kill, keeps its Message-ID).
func TestTwoDispatchersShareAPostgresQueue(t *testing.T) {
	const total = 20000
	dsn := pgtest.DSN(t)
	k, port := startLogSink(t)
	s := newTestServer(t, openDB(t, dsn), nil)
	addrs := queueNewsletter(t, s, "shared", total)
	a := dispatcherProcess(t, dsn, port, "dispatcher-a")
	b := dispatcherProcess(t, dsn, port, "dispatcher-b")
	byClient := func(name string) int {
		n := 0
		for _, e := range k.entries() {
			if e.client == name {
				n++
			}
		}
		return n
	}
	waitFor(t, 120*time.Second, "both dispatchers to send", func() bool {
		return k.count() >= total/4 && byClient("dispatcher-a") > 0 && byClient("dispatcher-b") > 0
	})
	if err := a.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	killedAt := k.count()
	if killedAt >= total {
		t.Fatal("the kill came after everything was sent; the test proves nothing")
	}
	waitFor(t, 180*time.Second, "every delivery to be recorded as sent", func() bool { return allSent(t, s.db, "shared", total) })
	_ = b.Process.Signal(syscall.SIGTERM)
	_ = b.Wait()
	resent := checkSinkLog(t, k.entries(), addrs)
	if resent > childConc {
		t.Errorf("%d messages re-sent after one kill, want at most %d (the killed dispatcher's concurrency)", resent, childConc)
	}
	t.Logf("%d messages: %d by a (killed after %d in all), %d by b, %d re-sent", total, byClient("dispatcher-a"), killedAt, byClient("dispatcher-b"), resent)
}
