package server

import (
	"context"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/mailpittest"
)

func TestDeliveryToMailpit(t *testing.T) {
	mp := mailpittest.Start(t)
	s, client, _ := smtpServer(t, mp.SMTPPort, func(c *Config) { c.Delivery.Concurrency = 3 })
	importCSV(t, s, "email,name,segments,city\nbo@example.com,Bo Jones,beta,Oslo\nann@example.com,Ann Lee,beta,\ncy@example.org,Cy Park,beta,Rome\n")
	sendToSegment(t, client, "2026-W49", "beta")
	flush(t, s)
	var list mailpittest.List
	for deadline := time.Now().Add(30 * time.Second); list.Total < 3 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		list = mp.Messages(t, 50)
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
	mailpittest.GetJSON(t, mp.API+"/api/v1/message/"+list.Messages[0].ID+"/headers", &headers)
	if len(headers["List-Unsubscribe-Post"]) != 1 || len(headers["List-Unsubscribe"]) != 1 || len(headers["X-Newsletter-Id"]) != 1 {
		t.Errorf("headers at mailpit: %v", headers)
	}
	page, err := client.Deliveries(context.Background(), "2026-W49", crm.DeliverySent, "", 0)
	if err != nil || page.Counts[crm.DeliverySent] != 3 {
		t.Errorf("delivery log %+v, %v", page.Counts, err)
	}
}
