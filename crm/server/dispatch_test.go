package server

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// mailerFunc is a Mailer made of a function.
type mailerFunc func(ctx context.Context, from, to string, msg []byte) error

func (f mailerFunc) Send(ctx context.Context, from, to string, msg []byte) error {
	return f(ctx, from, to, msg)
}

// Through the whole dispatcher, with commits held up by another
// connection's write lock: at every send, messages sent and not yet
// recorded never exceed Concurrency, however slowly outcomes commit.
func TestDispatcherBoundsUnrecordedSendsWhileCommitsStall(t *testing.T) {
	const conc, total = 4, 200
	path := filepath.Join(t.TempDir(), "crm.db")
	reader, locker := openDB(t, path), openDB(t, path)
	var started atomic.Int64
	var worst atomic.Int64
	mailer := mailerFunc(func(ctx context.Context, _, _ string, _ []byte) error {
		n := started.Add(1)
		var recorded int64
		if err := reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE status = $1`, crm.DeliverySent).Scan(&recorded); err != nil {
			return err
		}
		// n is read before recorded, so this undercounts at worst.
		if d := n - recorded; d > worst.Load() {
			worst.Store(d)
		}
		return nil
	})
	s := newTestServer(t, openDB(t, path), func(c *Config) {
		c.Delivery.Mode, c.Mailer, c.Delivery.Concurrency = ModeSMTP, mailer, conc
	})
	queueNewsletter(t, s, "stall", total)
	stop := make(chan struct{})
	stalled := make(chan struct{})
	go func() {
		defer close(stalled)
		for {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := locker.BeginTx(context.Background(), nil) // takes the write lock
			if err != nil {
				t.Error(err)
				return
			}
			time.Sleep(20 * time.Millisecond)
			_ = tx.Rollback()
			time.Sleep(40 * time.Millisecond)
		}
	}()
	flush(t, s)
	close(stop)
	<-stalled
	if !allSent(t, s.db, "stall", total) {
		t.Fatal("not every delivery is recorded as sent")
	}
	if w := worst.Load(); w > conc {
		t.Errorf("%d messages were sent and unrecorded at once, want at most %d (Concurrency)", w, conc)
	} else {
		t.Logf("at most %d messages sent and unrecorded at once (bound %d)", w, conc)
	}
}

// The recorder commits a group as soon as it holds the outcome of every
// claimed delivery, however long its group wait: nothing more can come
// before the next claim, which waits for the slots this commit frees. Until
// then it waits for the outcomes still due.
func TestRecorderCommitsOnceEveryClaimedOutcomeIsIn(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	ctx := context.Background()
	postBatch(t, s, "k1", batch("n1", "a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"))
	jobs, err := s.claim(ctx, 10)
	if err != nil || len(jobs) != 5 {
		t.Fatalf("claimed %d, %v; want 5", len(jobs), err)
	}
	slots := make(chan struct{}, 10)
	for range jobs {
		slots <- struct{}{}
	}
	rec := &recorder{s: s, in: make(chan *job, 10), slots: slots, max: 10, wait: time.Hour}
	done := make(chan struct{})
	go func() { defer close(done); rec.run() }()
	defer func() { close(rec.in); <-done }()
	rec.expect(len(jobs))
	for _, j := range jobs[:3] {
		_ = s.deliver(ctx, j, nil)
		rec.record(j, false)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(slots); n != 5 {
		t.Fatalf("%d of 5 claims still held with 2 outcomes due, want 5: the recorder committed before every outcome was in", n)
	}
	for _, j := range jobs[3:] {
		_ = s.deliver(ctx, j, nil)
		rec.record(j, false)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(slots) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d claims still held 30 s after every outcome was in: the recorder waits out its group wait", len(slots))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if counts, _ := allDeliveries(t, s, "n1"); counts[crm.DeliveryLogged] != 5 {
		t.Errorf("delivery log counts %v, want 5 logged", counts)
	}
}

// While newsletter requests are being queued, the dispatcher keeps at
// most queueingClaim deliveries claimed and unrecorded, whatever its batch
// size, so its claims and commits hold SQLite's one connection briefly.
func TestDispatcherClaimsLittleWhileRequestsAreQueued(t *testing.T) {
	const total = 600
	path := filepath.Join(t.TempDir(), "crm.db")
	reader := openDB(t, path)
	s := newTestServer(t, openDB(t, path), func(c *Config) { c.Delivery.Mode = ModeLog })
	if s.cfg.Delivery.BatchSize != LogBatchSize || LogBatchSize <= queueingClaim {
		t.Fatalf("log mode batch size %d, want LogBatchSize %d above queueingClaim %d", s.cfg.Delivery.BatchSize, LogBatchSize, queueingClaim)
	}
	var to []string
	for i := range total {
		to = append(to, fmt.Sprintf("r%03d@example.net", i))
	}
	postBatch(t, s, "k1", batch("n1", to...))
	s.batches <- struct{}{} // a request in hand
	defer func() { <-s.batches }()
	stop := make(chan struct{})
	worst := make(chan int, 1)
	go func() {
		w := 0
		for {
			select {
			case <-stop:
				worst <- w
				return
			default:
			}
			var n int
			if err := reader.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE status = $1 AND locked_until > $2`,
				crm.DeliveryQueued, nowMillis()).Scan(&n); err == nil && n > w {
				w = n
			}
		}
	}()
	flush(t, s)
	close(stop)
	if w := <-worst; w > queueingClaim {
		t.Errorf("%d deliveries claimed and unrecorded at once while a request was being queued, want at most %d", w, queueingClaim)
	}
	if counts, _ := allDeliveries(t, s, "n1"); counts[crm.DeliveryLogged] != total {
		t.Errorf("delivery log counts %v, want %d logged", counts, total)
	}
}

// Requests count as being queued while one is in hand and for
// queueingQuiet after the last one.
func TestQueueingLastsPastTheLastRequest(t *testing.T) {
	s := newTestServer(t, openSQLite(t), nil)
	if s.queueing() {
		t.Error("queueing before any request")
	}
	s.batches <- struct{}{}
	if !s.queueing() {
		t.Error("not queueing with a request in hand")
	}
	<-s.batches
	s.lastQueued.Store(time.Now().UnixNano())
	if !s.queueing() {
		t.Error("not queueing just after a request")
	}
	s.lastQueued.Store(time.Now().Add(-2 * queueingQuiet).UnixNano())
	if s.queueing() {
		t.Errorf("still queueing %s after the last request", 2*queueingQuiet)
	}
}
