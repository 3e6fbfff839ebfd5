package server

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is an in-process SMTP server that captures what it receives. It can
// refuse recipients for a while (451) or for good (550).
type sink struct {
	mu         sync.Mutex
	msgs       []capturedMail
	tempFails  map[string]int
	permFails  map[string]bool
	active     int
	maxActive  int
	dataDelay  time.Duration
	dataStarts []time.Time
}

type capturedMail struct {
	from string
	to   []string
	data []byte
}

// startSink serves SMTP on a loopback port and returns the sink and port.
func startSink(t *testing.T) (*sink, int) {
	t.Helper()
	k := &sink{tempFails: map[string]int{}, permFails: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: k}, nil }))
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return k, ln.Addr().(*net.TCPAddr).Port
}

func (k *sink) messages() []capturedMail {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]capturedMail(nil), k.msgs...)
}

type sinkSession struct {
	sink *sink
	from string
	to   []string
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	k := s.sink
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.permFails[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	if k.tempFails[to] > 0 {
		k.tempFails[to]--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	k := s.sink
	k.mu.Lock()
	k.active++
	k.maxActive = max(k.maxActive, k.active)
	k.dataStarts = append(k.dataStarts, time.Now())
	delay := k.dataDelay
	k.mu.Unlock()
	data, err := io.ReadAll(r)
	time.Sleep(delay)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.active--
	if err != nil {
		return err
	}
	k.msgs = append(k.msgs, capturedMail{from: s.from, to: s.to, data: data})
	return nil
}

func (s *sinkSession) Reset()        { s.from, s.to = "", nil }
func (s *sinkSession) Logout() error { return nil }

// parsedMail is a received message with its text and HTML parts decoded.
type parsedMail struct {
	header     mail.Header
	subject    string
	text, html string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, data)
	}
	p := parsedMail{header: m.Header}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		p.setPart(t, mt, m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return p
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return p
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		p.setPart(t, pt, part.Header.Get("Content-Transfer-Encoding"), part)
	}
}

func (p *parsedMail) setPart(t *testing.T, mediaType, cte string, r io.Reader) {
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	switch mediaType {
	case "text/plain":
		p.text = string(b)
	case "text/html":
		p.html = string(b)
	default:
		t.Errorf("unexpected part %s", mediaType)
	}
}
