package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

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

// BenchmarkClaimRecord measures the dispatcher's database work per
// delivery on SQLite, as in SMTP mode with 4 senders: claims of 50 and
// outcomes recorded 4 at a time.
func BenchmarkClaimRecord(b *testing.B) {
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), nil)
	queueNewsletter(b, s, "n1", b.N)
	ctx := context.Background()
	cpu0 := cpuTime(b)
	b.ResetTimer()
	for done := 0; done < b.N; {
		jobs, err := s.claim(ctx, 50)
		if err != nil || len(jobs) == 0 {
			b.Fatalf("claim after %d of %d: %d, %v", done, b.N, len(jobs), err)
		}
		for start := 0; start < len(jobs); start += 4 {
			group := jobs[start:min(start+4, len(jobs))]
			for _, j := range group {
				j.out = outcome{kind: outSent, messageID: s.messageID(j), at: time.Now()}
			}
			if err := s.record(ctx, group); err != nil {
				b.Fatal(err)
			}
		}
		done += len(jobs)
	}
	b.StopTimer()
	// CPU time, unlike the time per op, does not grow with other work on
	// a shared machine.
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchVariant is shaped like a rendered edition: ~25 KB of HTML and
// ~8 KB of text with a few merge slots.
var benchVariant = content{variantID: "beta", subject: "This week for {{first_name}}", preheader: "News for {{first_name}}",
	html: "<html><head><style>p{margin:0 0 12px}</style></head><body><p>Hi {{first_name}},</p>" +
		strings.Repeat(`<p style="font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#333">A paragraph of the edition about breathing, hardware and tips, with a <a href="https://example.com/updates/x?utm_source=newsletter">link</a>.</p>`+"\n", 110) +
		`<p>From {{attr.city}}</p><a href="{{unsubscribe_url}}">Unsubscribe</a></body></html>`,
	text: "Hi {{first_name}},\n\n" + strings.Repeat("A paragraph of the edition about breathing, hardware and tips, with a link.\n", 105) +
		"From {{attr.city}}\nUnsubscribe: {{unsubscribe_url}}\n"}

// BenchmarkBuild measures building one message of benchVariant, unsigned
// and DKIM-signed. Its one recipient always finds the body hash state
// after the greeting cached; BenchmarkBuildList measures a list.
func BenchmarkBuild(b *testing.B) {
	_, edKey := testKeys(b)
	edPath, _ := writeKey(b, edKey)
	for _, bc := range []struct {
		name string
		dkim *DKIMConfig
	}{{"dkim=off", nil}, {"dkim=ed25519", &DKIMConfig{Domain: "example.com", Selector: "s1", KeyFile: edPath}}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), func(c *Config) { c.DKIM = bc.dkim })
			t := s.prepare(benchVariant)
			j := &job{id: 1, newsletterID: "2026-W48", address: "reader@example.net", name: "Zoë Reader",
				merge: map[string]string{"attr.city": "Oslo"}, token: sql.NullString{String: "tok", Valid: true}}
			var buf []byte
			for b.Loop() {
				var err error
				if buf, err = s.build(t, j, buf[:0]); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}

// BenchmarkDKIMFloor measures what signing one of benchVariant's messages
// costs whatever the signer: one Ed25519 signature, and SHA-256 over the
// body from its first byte that differs between two recipients who share
// every merge value but their address and unsubscribe link (no hash state
// saved from other messages reaches past it) to its end. "both" is the
// floor; BenchmarkBuild's dkim=ed25519 minus dkim=off is what signing
// costs the CRM.
func BenchmarkDKIMFloor(b *testing.B) {
	_, edKey := testKeys(b)
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), nil)
	t := s.prepare(benchVariant)
	var msgs [2][]byte
	for i, who := range []string{"ana", "bea"} {
		j := &job{id: int64(i + 1), newsletterID: "2026-W48", address: who + "@example.net", name: "Zoë Reader",
			merge: map[string]string{"attr.city": "Oslo"}, token: sql.NullString{String: "tok-" + who, Valid: true}}
		m, err := s.build(t, j, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, body, ok := bytes.Cut(m, []byte("\r\n\r\n"))
		if !ok {
			b.Fatalf("message without a body:\n%s", m)
		}
		msgs[i] = body
	}
	first := 0
	for first < min(len(msgs[0]), len(msgs[1])) && msgs[0][first] == msgs[1][first] {
		first++
	}
	tail := msgs[0][first:]
	if len(tail) < len(msgs[0])/2 {
		b.Fatalf("the bodies differ only from byte %d of %d: benchVariant no longer has its unsubscribe link before the HTML part", first, len(msgs[0]))
	}
	var digest [sha256.Size]byte
	sign := func() { _ = ed25519.Sign(edKey, digest[:]) }
	hash := func() { digest = sha256.Sum256(tail) }
	for _, bc := range []struct {
		name string
		op   func()
	}{{"sign", sign}, {"tail-hash", hash}, {"both", func() { hash(); sign() }}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.op()
			}
			b.ReportMetric(float64(len(tail)), "tail-bytes")
			b.ReportMetric(float64(len(msgs[0])), "body-bytes")
		})
	}
}

// BenchmarkClick measures the CRM's work for one click on a tracked link
// (no network): resolve and verify the token, count it, answer 302.
func BenchmarkClick(b *testing.B) {
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), func(c *Config) {
		c.Tracking = TrackingConfig{Mode: TrackingAggregate, Keys: []string{"bench-tracking-key-0123456789"}}
	})
	req := batch("n1", "a@example.net")
	req.Variants = []crm.Variant{sectionVariant}
	req.Messages[0].Variant = sectionVariant.ID
	postBatch(b, s, "k1", req)
	jobs, err := s.claim(context.Background(), 1)
	if err != nil || len(jobs) != 1 {
		b.Fatalf("claim: %v", err)
	}
	msg, err := s.buildMessage(context.Background(), jobs[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`/r/[0-9A-Za-z._-]+`).Find(bytes.ReplaceAll(msg, []byte("=\r\n"), nil))
	if m == nil {
		b.Fatalf("no tracked link in\n%s", msg)
	}
	h := s.Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, string(m), nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (bench)")
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusFound {
				b.Fatalf("click: %d", rec.Code)
			}
		}
	})
}

// BenchmarkBuildList measures building and signing (Ed25519) the messages
// of benchVariant to a list of 20,000 whose first names are spread as in
// a real population (about 35% share the 100 commonest names, 65% the
// 1,000 commonest), with the body hash states cached per merged first
// name and without, and reports how often the cache held the state.
func BenchmarkBuildList(b *testing.B) {
	_, edKey := testKeys(b)
	edPath, _ := writeKey(b, edKey)
	s := newTestServer(b, openDB(b, b.TempDir()+"/crm.db"), func(c *Config) {
		c.DKIM = &DKIMConfig{Domain: "example.com", Selector: "s1", KeyFile: edPath}
	})
	jobs := realisticList(20000)
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("states=%v", cached), func(b *testing.B) {
			var buf []byte
			held := 0
			for b.Loop() {
				b.StopTimer()
				t := s.prepare(benchVariant)
				if !cached {
					for i := range t.prefixes {
						t.prefixes[i].states = nil
					}
				}
				b.StartTimer()
				for _, j := range jobs {
					var err error
					if buf, err = s.build(t, j, buf[:0]); err != nil {
						b.Fatal(err)
					}
				}
				if cached {
					held += listHits(jobs)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(jobs)), "ns/msg")
			b.ReportMetric(float64(held)/float64(b.N*len(jobs)), "hits/msg")
		})
	}
}

// listHits is how many messages to jobs find their body hash state
// cached: those whose first name came before and was cached then.
func listHits(jobs []*job) int {
	cached := make(map[string]bool)
	hits := 0
	for _, j := range jobs {
		first, _, _ := strings.Cut(j.name, " ")
		switch {
		case cached[first]:
			hits++
		case len(cached) < stateCacheMax:
			cached[first] = true
		}
	}
	return hits
}

// realisticList returns n jobs whose first names follow a Zipf-Mandelbrot
// law over 30,000 names, fitted to the shares of common first names.
func realisticList(n int) []*job {
	r := mrand.New(mrand.NewPCG(1, 2))
	z := mrand.NewZipf(r, 1.1, 15, 30000)
	jobs := make([]*job, n)
	for i := range jobs {
		k := z.Uint64()
		first := fmt.Sprintf("N%x", k*2654435761%1000003) // names of varied length
		jobs[i] = &job{id: int64(i + 1), newsletterID: "2026-W48", address: fmt.Sprintf("reader%d@example.net", i),
			name: first + " Reader", merge: map[string]string{"attr.city": fmt.Sprintf("City %d", i%50)},
			token: sql.NullString{String: fmt.Sprintf("tok%d", i), Valid: true}}
	}
	return jobs
}
