package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host string
	Port int
	// TLS is "none", "opportunistic" (STARTTLS when offered, the default)
	// or "mandatory".
	TLS string
	// Username and Password, when set, authenticate with the best
	// mechanism the server offers.
	Username, Password string
	// Timeout bounds connecting and each SMTP command (default 15 s).
	Timeout time.Duration
	// MaxIdle is how many open connections are kept for reuse (default 4;
	// set it to the delivery concurrency).
	MaxIdle int
}

// SMTPMailer sends messages over SMTP, reusing connections.
type SMTPMailer struct {
	client *gomail.Client
	mu     sync.Mutex
	idle   []*smtp.Client
	max    int
}

var _ Mailer = (*SMTPMailer)(nil)

// ParseTLSPolicy maps "none", "opportunistic" or "mandatory" to a policy.
func ParseTLSPolicy(s string) (gomail.TLSPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "off", "false":
		return gomail.NoTLS, nil
	case "", "opportunistic", "starttls":
		return gomail.TLSOpportunistic, nil
	case "mandatory", "required":
		return gomail.TLSMandatory, nil
	}
	return gomail.NoTLS, fmt.Errorf("TLS policy %q: want none, opportunistic or mandatory", s)
}

// NewSMTPMailer returns a mailer for c; it connects on first use.
func NewSMTPMailer(c SMTPConfig) (*SMTPMailer, error) {
	policy, err := ParseTLSPolicy(c.TLS)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	if c.Timeout <= 0 {
		c.Timeout = 15 * time.Second
	}
	if c.MaxIdle <= 0 {
		c.MaxIdle = 4
	}
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTLSPolicy(policy), gomail.WithTimeout(c.Timeout)}
	if c.Username != "" {
		opts = append(opts, gomail.WithUsername(c.Username), gomail.WithPassword(c.Password),
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
	}
	client, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s:%d: %w", c.Host, c.Port, err)
	}
	return &SMTPMailer{client: client, max: c.MaxIdle}, nil
}

// Send delivers msg on an idle connection or a new one. A reused
// connection the server has since closed is replaced once.
func (m *SMTPMailer) Send(ctx context.Context, msg *gomail.Msg) error {
	conn, reused := m.take()
	for {
		if conn == nil {
			var err error
			if conn, err = m.client.DialToSMTPClientWithContext(ctx); err != nil {
				return fmt.Errorf("smtp connect %s: %w", m.client.ServerAddr(), err)
			}
		}
		err := m.client.SendWithSMTPClient(conn, msg)
		if err == nil {
			m.put(conn)
			return nil
		}
		_ = m.client.CloseWithSMTPClient(conn)
		var se *gomail.SendError
		if reused && errors.As(err, &se) && se.Reason == gomail.ErrConnCheck {
			conn, reused = nil, false
			continue
		}
		return fmt.Errorf("smtp send to %s: %w", strings.Join(msg.GetToString(), ", "), err)
	}
}

func (m *SMTPMailer) take() (*smtp.Client, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.idle); n > 0 {
		c := m.idle[n-1]
		m.idle = m.idle[:n-1]
		return c, true
	}
	return nil, false
}

func (m *SMTPMailer) put(c *smtp.Client) {
	m.mu.Lock()
	if len(m.idle) < m.max {
		m.idle = append(m.idle, c)
		c = nil
	}
	m.mu.Unlock()
	if c != nil {
		_ = m.client.CloseWithSMTPClient(c)
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
		errs = append(errs, m.client.CloseWithSMTPClient(c))
	}
	return errors.Join(errs...)
}

// permanent reports whether the mail server refused for good (5xx).
func permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode() >= 500 && se.ErrorCode() < 600
	}
	return false
}
