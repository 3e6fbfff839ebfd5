package server

import (
	"context"
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
