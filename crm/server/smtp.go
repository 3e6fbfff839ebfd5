package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host string
	Port int
	// TLS is "none", "opportunistic" (STARTTLS when offered, the default)
	// or "mandatory".
	TLS string
	// Username and Password, when set, log in with PLAIN or LOGIN.
	Username, Password string
	// HelloName is the name sent with EHLO (default "localhost").
	HelloName string
	// Timeout bounds connecting and each SMTP exchange (default 15 s).
	Timeout time.Duration
	// MaxIdle is how many open connections are kept for reuse (default 4;
	// set it to the delivery concurrency).
	MaxIdle int
	// MaxIdleTime closes a connection unused for longer (default 30 s),
	// before servers drop it themselves.
	MaxIdleTime time.Duration
}

type tlsPolicy int

const (
	tlsOpportunistic tlsPolicy = iota
	tlsNone
	tlsMandatory
)

// parseTLSPolicy maps "none", "opportunistic" or "mandatory" to a policy.
func parseTLSPolicy(s string) (tlsPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "off", "false":
		return tlsNone, nil
	case "", "opportunistic", "starttls":
		return tlsOpportunistic, nil
	case "mandatory", "required":
		return tlsMandatory, nil
	}
	return tlsNone, fmt.Errorf("TLS policy %q: want none, opportunistic or mandatory", s)
}

// SMTPMailer sends prebuilt messages over SMTP, reusing connections and
// pipelining each message's commands where the server allows.
type SMTPMailer struct {
	cfg    SMTPConfig
	policy tlsPolicy
	mu     sync.Mutex
	idle   []*smtpConn
}

var _ Mailer = (*SMTPMailer)(nil)

// NewSMTPMailer returns a mailer for c; it connects on first use.
func NewSMTPMailer(c SMTPConfig) (*SMTPMailer, error) {
	policy, err := parseTLSPolicy(c.TLS)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if c.Host == "" || c.Port <= 0 {
		return nil, fmt.Errorf("smtp: host %q port %d: set both (SMTP_HOST, SMTP_PORT)", c.Host, c.Port)
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.MaxIdle <= 0 {
		c.MaxIdle = 4
	}
	if c.MaxIdleTime <= 0 {
		c.MaxIdleTime = 30 * time.Second
	}
	return &SMTPMailer{cfg: c, policy: policy}, nil
}

// Send delivers msg on an idle connection or a new one. A reused
// connection the server has since closed is replaced once, when it
// failed before any reply (so nothing was accepted).
func (m *SMTPMailer) Send(ctx context.Context, from, to string, msg []byte) error {
	conn, reused := m.take()
	for {
		if conn == nil {
			var err error
			if conn, err = dialSMTP(ctx, &m.cfg, m.policy); err != nil {
				return fmt.Errorf("smtp connect %s:%d: %w", m.cfg.Host, m.cfg.Port, err)
			}
		}
		err := conn.send(from, to, msg)
		if !conn.broken {
			m.put(conn)
		} else {
			_ = conn.conn.Close()
		}
		if err != nil && reused && conn.broken && errors.Is(err, errNoReply) {
			conn, reused = nil, false
			continue
		}
		if err != nil {
			return fmt.Errorf("smtp send to %s: %w", to, err)
		}
		return nil
	}
}

func (m *SMTPMailer) take() (*smtpConn, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for n := len(m.idle); n > 0; n = len(m.idle) {
		c := m.idle[n-1]
		m.idle = m.idle[:n-1]
		if time.Since(c.used) < m.cfg.MaxIdleTime {
			return c, true
		}
		go c.quit()
	}
	return nil, false
}

func (m *SMTPMailer) put(c *smtpConn) {
	c.used = time.Now()
	m.mu.Lock()
	if len(m.idle) < m.cfg.MaxIdle {
		m.idle = append(m.idle, c)
		c = nil
	}
	m.mu.Unlock()
	if c != nil {
		_ = c.quit()
	}
}

// Close ends the idle connections.
func (m *SMTPMailer) Close() error {
	m.mu.Lock()
	idle := m.idle
	m.idle = nil
	m.mu.Unlock()
	var errs []error
	for _, c := range idle {
		errs = append(errs, c.quit())
	}
	return errors.Join(errs...)
}

// permanent reports whether the mail server refused for good (5xx), or
// the message can never be built.
func permanent(err error) bool {
	var se *SMTPError
	if errors.As(err, &se) {
		return !se.Temporary()
	}
	return errors.Is(err, errBadMessage)
}
