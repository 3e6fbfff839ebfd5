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
