package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// DiscardSMTP is an SMTP server that accepts every message, reads it in
// full and throws it away, counting what it received: a sink that costs
// the sender only the protocol.
type DiscardSMTP struct {
	srv      *smtp.Server
	ln       net.Listener
	messages atomic.Int64
	bytes    atomic.Int64
	// keep, when set, makes the server keep the first message holding it.
	keep   []byte
	sample atomic.Pointer[[]byte]
}

// Keep makes the server keep the first message that holds needle; call it
// before messages arrive.
func (d *DiscardSMTP) Keep(needle string) { d.keep = []byte(needle) }

// Sample is the message Keep asked for; nil until one arrived.
func (d *DiscardSMTP) Sample() []byte {
	if p := d.sample.Load(); p != nil {
		return *p
	}
	return nil
}

// ListenDiscardSMTP starts a discarding server on addr ("127.0.0.1:0" for
// any free port).
func ListenDiscardSMTP(addr string) (*DiscardSMTP, error) {
	d := &DiscardSMTP{}
	d.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &discardSession{d: d}, nil }))
	d.srv.Domain = "discard.localhost"
	d.srv.ReadTimeout = time.Minute
	d.srv.WriteTimeout = time.Minute
	d.srv.MaxRecipients = 1000
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("discarding SMTP server: %w", err)
	}
	d.ln = ln
	go func() { _ = d.srv.Serve(ln) }()
	return d, nil
}

// Addr is the address the server listens on.
func (d *DiscardSMTP) Addr() *net.TCPAddr { return d.ln.Addr().(*net.TCPAddr) }

// Messages is how many messages were received in full.
func (d *DiscardSMTP) Messages() int64 { return d.messages.Load() }

// Bytes is how many message bytes were received.
func (d *DiscardSMTP) Bytes() int64 { return d.bytes.Load() }

// Close stops the server and closes its connections.
func (d *DiscardSMTP) Close() error { return d.srv.Close() }

type discardSession struct {
	d    *DiscardSMTP
	rcpt int
}

func (s *discardSession) Reset()        { s.rcpt = 0 }
func (s *discardSession) Logout() error { return nil }

func (s *discardSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *discardSession) Rcpt(string, *smtp.RcptOptions) error {
	s.rcpt++
	return nil
}

func (s *discardSession) Data(r io.Reader) error {
	if s.rcpt == 0 {
		return errors.New("no recipients")
	}
	var n int64
	var err error
	if s.d.keep != nil && s.d.sample.Load() == nil {
		var b []byte
		b, err = io.ReadAll(r)
		n = int64(len(b))
		if err == nil && bytes.Contains(b, s.d.keep) {
			s.d.sample.CompareAndSwap(nil, &b)
		}
	} else {
		n, err = io.Copy(io.Discard, r)
	}
	if err != nil {
		return err
	}
	s.d.bytes.Add(n)
	s.d.messages.Add(1)
	return nil
}
