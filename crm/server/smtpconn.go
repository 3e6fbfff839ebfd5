package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// SMTPError is a reply from the mail server that refused a command.
type SMTPError struct {
	Code    int
	Message string
}

func (e *SMTPError) Error() string { return fmt.Sprintf("%d %s", e.Code, e.Message) }

// Temporary reports whether the server asked to try again later (4xx).
func (e *SMTPError) Temporary() bool { return e.Code < 500 }

// smtpConn is one SMTP client connection that sends a prebuilt message
// with as few round trips as the server allows: MAIL, RCPT and the
// message go out in one write when it offers PIPELINING (RFC 2920) and
// CHUNKING (RFC 3030).
type smtpConn struct {
	conn       net.Conn
	r          *textproto.Reader
	w          *bufio.Writer
	timeout    time.Duration
	ext        map[string]string
	pipelining bool
	chunking   bool
	size       bool
	dotBuf     []byte
	// broken is set once the connection failed; it is not reused.
	broken bool
	used   time.Time
}

// dialSMTP connects, greets and, as c asks, starts TLS and logs in.
func dialSMTP(ctx context.Context, c *SMTPConfig, policy tlsPolicy) (*smtpConn, error) {
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	d := net.Dialer{Timeout: c.Timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	sc := newSMTPConn(nc, c.Timeout)
	if err := sc.open(c, policy); err != nil {
		_ = nc.Close()
		return nil, err
	}
	return sc, nil
}

func newSMTPConn(nc net.Conn, timeout time.Duration) *smtpConn {
	return &smtpConn{conn: nc, r: textproto.NewReader(bufio.NewReaderSize(nc, 4096)),
		w: bufio.NewWriterSize(nc, 64<<10), timeout: timeout}
}

func (c *smtpConn) open(cfg *SMTPConfig, policy tlsPolicy) error {
	c.deadline()
	if _, _, err := c.reply(220); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if err := c.ehlo(cfg.HelloName); err != nil {
		return err
	}
	if _, ok := c.ext["STARTTLS"]; ok && policy != tlsNone {
		if err := c.cmd(220, "STARTTLS"); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		tc := tls.Client(c.conn, &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12})
		if err := tc.Handshake(); err != nil {
			return fmt.Errorf("TLS handshake with %s: %w", cfg.Host, err)
		}
		c.conn = tc
		c.r = textproto.NewReader(bufio.NewReaderSize(tc, 4096))
		c.w = bufio.NewWriterSize(tc, 64<<10)
		if err := c.ehlo(cfg.HelloName); err != nil {
			return err
		}
	} else if policy == tlsMandatory {
		return errors.New("the server does not offer STARTTLS and SMTP_TLS is mandatory")
	}
	if cfg.Username != "" {
		return c.auth(cfg.Username, cfg.Password)
	}
	return nil
}

func (c *smtpConn) ehlo(name string) error {
	if name == "" {
		name = "localhost"
	}
	if err := c.write("EHLO " + name + "\r\n"); err != nil {
		return err
	}
	_, msg, err := c.reply(250)
	if err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	c.ext = map[string]string{}
	for _, line := range strings.Split(msg, "\n")[1:] {
		k, v, _ := strings.Cut(line, " ")
		c.ext[strings.ToUpper(k)] = v
	}
	_, c.pipelining = c.ext["PIPELINING"]
	_, c.chunking = c.ext["CHUNKING"]
	_, c.size = c.ext["SIZE"]
	return nil
}

// auth logs in with PLAIN or LOGIN, whichever the server offers.
func (c *smtpConn) auth(user, pass string) error {
	mechs := " " + strings.ToUpper(c.ext["AUTH"]) + " "
	enc := base64.StdEncoding.EncodeToString
	switch {
	case strings.Contains(mechs, " PLAIN "):
		return c.cmd(235, "AUTH PLAIN "+enc([]byte("\x00"+user+"\x00"+pass)))
	case strings.Contains(mechs, " LOGIN "):
		if err := c.cmd(334, "AUTH LOGIN"); err != nil {
			return fmt.Errorf("AUTH LOGIN: %w", err)
		}
		if err := c.cmd(334, enc([]byte(user))); err != nil {
			return fmt.Errorf("AUTH LOGIN: %w", err)
		}
		return c.cmd(235, enc([]byte(pass)))
	}
	return fmt.Errorf("the server offers no PLAIN or LOGIN authentication (AUTH %q)", c.ext["AUTH"])
}

func (c *smtpConn) deadline() { _ = c.conn.SetDeadline(time.Now().Add(c.timeout)) }

func (c *smtpConn) write(s string) error {
	_, _ = c.w.WriteString(s)
	return c.flush()
}

func (c *smtpConn) flush() error {
	if err := c.w.Flush(); err != nil {
		c.broken = true
		return err
	}
	return nil
}

func (c *smtpConn) cmd(expect int, line string) error {
	if err := c.write(line + "\r\n"); err != nil {
		return err
	}
	_, _, err := c.reply(expect)
	return err
}

// reply reads one reply; a code other than expect is an *SMTPError, a
// broken connection a plain error.
func (c *smtpConn) reply(expect int) (int, string, error) {
	code, msg, err := c.r.ReadResponse(expect)
	var te *textproto.Error
	if errors.As(err, &te) {
		return code, msg, &SMTPError{Code: te.Code, Message: te.Msg}
	}
	if err != nil {
		c.broken = true
	}
	return code, msg, err
}

// errNoReply marks a failure before the server answered anything for a
// message, so nothing of it can have been accepted.
var errNoReply = errors.New("no reply")

// send delivers msg (CRLF line ends) from from to to. A refusal leaves
// the connection ready for the next message.
func (c *smtpConn) send(from, to string, msg []byte) error {
	c.deadline()
	mail := "MAIL FROM:<" + from + ">"
	if c.size {
		mail += " SIZE=" + strconv.Itoa(len(msg))
	}
	cmds := mail + "\r\nRCPT TO:<" + to + ">\r\n"
	if !c.pipelining {
		if err := c.cmd(250, mail); err != nil {
			return c.refused(err, 0)
		}
		if err := c.cmd(250, "RCPT TO:<"+to+">"); err != nil {
			return c.refused(err, 1)
		}
		return c.body(msg, 2)
	}
	if c.chunking {
		_, _ = c.w.WriteString(cmds + "BDAT " + strconv.Itoa(len(msg)) + " LAST\r\n")
		_, _ = c.w.Write(msg)
		if err := c.flush(); err != nil {
			return fmt.Errorf("%w: %w", errNoReply, err)
		}
		return c.replies(3)
	}
	if err := c.write(cmds + "DATA\r\n"); err != nil {
		return fmt.Errorf("%w: %w", errNoReply, err)
	}
	var first error
	dataOpen := false
	for i, code := range []int{250, 250, 354} {
		if _, _, err := c.reply(code); err != nil {
			if !isReply(err) {
				if first == nil && i == 0 {
					return fmt.Errorf("%w: %w", errNoReply, err)
				}
				return errors.Join(first, err)
			}
			if first == nil {
				first = err
			}
		} else if code == 354 {
			dataOpen = true
		}
	}
	if first == nil {
		return c.dataBody(msg)
	}
	if dataOpen {
		// A server that opened DATA after refusing the recipient gets an
		// empty message, which it refuses for want of recipients.
		_ = c.write(".\r\n")
		if _, _, err := c.reply(250); err != nil && !isReply(err) {
			return errors.Join(first, err)
		}
	}
	return c.reset(first)
}

// body sends the message after MAIL and RCPT were accepted one by one.
func (c *smtpConn) body(msg []byte, replied int) error {
	if c.chunking {
		_, _ = c.w.WriteString("BDAT " + strconv.Itoa(len(msg)) + " LAST\r\n")
		_, _ = c.w.Write(msg)
		if err := c.flush(); err != nil {
			return err
		}
		_, _, err := c.reply(250)
		return err
	}
	if err := c.cmd(354, "DATA"); err != nil {
		return c.refused(err, replied)
	}
	return c.dataBody(msg)
}

// dataBody writes msg after DATA. Messages built here never have a line
// starting with a dot; any other is dot-stuffed in one pass.
func (c *smtpConn) dataBody(msg []byte) error {
	if bytes.HasPrefix(msg, []byte(".")) || bytes.Contains(msg, []byte("\n.")) {
		c.dotBuf = dotStuff(c.dotBuf[:0], msg)
		msg = c.dotBuf
	}
	_, _ = c.w.Write(msg)
	if !bytes.HasSuffix(msg, []byte("\r\n")) {
		_, _ = c.w.WriteString("\r\n")
	}
	_, _ = c.w.WriteString(".\r\n")
	if err := c.flush(); err != nil {
		return err
	}
	_, _, err := c.reply(250)
	return err
}

// replies reads the n pipelined replies of MAIL, RCPT and BDAT and
// returns the first refusal.
func (c *smtpConn) replies(n int) error {
	var first error
	for i := range n {
		if _, _, err := c.reply(250); err != nil {
			if !isReply(err) {
				if first == nil && i == 0 {
					return fmt.Errorf("%w: %w", errNoReply, err)
				}
				return errors.Join(first, err)
			}
			if first == nil {
				first = err
			}
		}
	}
	if first != nil {
		return c.reset(first)
	}
	return nil
}

// refused resets the transaction after a refusal; replied is how many
// commands of this message the server had answered before.
func (c *smtpConn) refused(err error, replied int) error {
	if !isReply(err) {
		if replied == 0 {
			return fmt.Errorf("%w: %w", errNoReply, err)
		}
		return err
	}
	return c.reset(err)
}

// reset ends a refused transaction so the connection can be reused; err
// is returned either way.
func (c *smtpConn) reset(err error) error {
	if rerr := c.cmd(250, "RSET"); rerr != nil {
		return errors.Join(err, fmt.Errorf("RSET: %w", rerr))
	}
	return err
}

func (c *smtpConn) quit() error {
	c.deadline()
	_ = c.cmd(221, "QUIT")
	return c.conn.Close()
}

func isReply(err error) bool {
	var se *SMTPError
	return errors.As(err, &se)
}

// dotStuff doubles every dot that starts a line (RFC 5321 4.5.2).
func dotStuff(dst, msg []byte) []byte {
	if len(msg) > 0 && msg[0] == '.' {
		dst = append(dst, '.')
	}
	for {
		i := bytes.Index(msg, []byte("\n."))
		if i < 0 {
			return append(dst, msg...)
		}
		dst = append(dst, msg[:i+2]...)
		dst = append(dst, '.')
		msg = msg[i+2:]
	}
}
