package server

import (
	"fmt"
	"testing"

	"github.com/halcytone/contentgen/crm"
)

// BenchmarkQueueAndLog measures accepting and delivering (log mode) one
// full batch of crm.MaxMessagesPerRequest messages on SQLite.
func BenchmarkQueueAndLog(b *testing.B) {
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), func(c *Config) { c.Delivery.Concurrency = 8 })
	for i := 0; b.Loop(); i++ {
		req := batch(fmt.Sprintf("n%d", i))
		for j := range crm.MaxMessagesPerRequest {
			req.Messages = append(req.Messages, crm.Message{To: fmt.Sprintf("r%d@example.net", j), Name: "Reader", Variant: "v1",
				Merge: map[string]string{"name": "Reader", "attr.city": "Oslo"}})
		}
		postBatch(b, s, fmt.Sprintf("k%d", i), req)
		flush(b, s)
	}
	b.ReportMetric(float64(b.N*crm.MaxMessagesPerRequest)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkDispatchSMTP measures delivering 5,000 queued ~30 KB messages
// over SMTP on SQLite, to a sink that reads and logs each one.
func BenchmarkDispatchSMTP(b *testing.B) {
	k, port := startLogSink(b)
	mailer, err := NewSMTPMailer(SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", MaxIdle: 16})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = mailer.Close() })
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), func(c *Config) {
		c.Mailer, c.Delivery.Mode, c.Delivery.Concurrency = mailer, ModeSMTP, 16
	})
	const n = 5000
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		queueNewsletter(b, s, fmt.Sprintf("n%d", i), n)
		b.StartTimer()
		flush(b, s)
	}
	if got := k.count(); got != b.N*n {
		b.Fatalf("sink received %d messages, want %d", got, b.N*n)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "msgs/s")
}
