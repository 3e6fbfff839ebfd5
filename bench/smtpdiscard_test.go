package bench

import (
	"net/smtp"
	"strings"
	"testing"
)

func TestDiscardSMTPCountsWholeMessages(t *testing.T) {
	d, err := ListenDiscardSMTP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	msg := "Subject: hi\r\n\r\n" + strings.Repeat("body line\r\n", 100)
	for range 3 {
		if err := smtp.SendMail(d.Addr().String(), nil, "news@example.com", []string{"ann@example.com"}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if d.Messages() != 3 || d.Bytes() < int64(3*len(msg)) {
		t.Errorf("received %d messages, %d bytes; want 3 and at least %d", d.Messages(), d.Bytes(), 3*len(msg))
	}
}
