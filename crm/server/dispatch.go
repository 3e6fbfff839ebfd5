package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// minLease is the shortest time a claimed delivery stays reserved for the
// dispatcher that claimed it. A dispatcher that stops cleanly releases its
// claims; one that crashes leaves them to expire.
const minLease = 30 * time.Second

// Run delivers queued messages until ctx is done. Deliveries queued by an
// earlier process are picked up as well.
func (s *Server) Run(ctx context.Context) error {
	if s.cfg.Delivery.Mode == ModeSMTP && s.cfg.Mailer == nil {
		return errors.New("crm dispatcher: no Mailer configured for the smtp delivery mode; configure SMTP or use the log mode")
	}
	s.log.Info("dispatcher started", "mode", s.cfg.Delivery.Mode, "concurrency", s.cfg.Delivery.Concurrency,
		"ratePerSecond", s.cfg.Delivery.RatePerSecond)
	tick := time.NewTicker(s.cfg.Delivery.PollInterval)
	defer tick.Stop()
	var pruned time.Time
	for {
		if time.Since(pruned) >= pruneInterval {
			pruned = time.Now()
			if n, err := s.PruneIdempotencyKeys(ctx, pruned); err != nil && ctx.Err() == nil {
				s.log.Error("prune idempotency keys", "err", err)
			} else if n > 0 {
				s.log.Info("idempotency keys pruned", "deleted", n, "retention", s.cfg.IdempotencyRetention)
			}
		}
		n, err := s.dispatchOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("dispatch", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			s.log.Info("dispatcher stopped")
			return nil
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// Flush delivers until no delivery is queued, waiting out retry delays and
// other dispatchers' claims. It works with or without Run.
func (s *Server) Flush(ctx context.Context) error {
	if s.cfg.Delivery.Mode == ModeSMTP && s.cfg.Mailer == nil {
		return errors.New("crm flush: no Mailer configured for the smtp delivery mode")
	}
	for {
		n, err := s.dispatchOnce(ctx)
		if err != nil {
			return fmt.Errorf("crm flush: %w", err)
		}
		if n > 0 {
			continue
		}
		var queued int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE status = $1`, crm.DeliveryQueued).Scan(&queued); err != nil {
			return fmt.Errorf("crm flush: count queued: %w", err)
		}
		if queued == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("crm flush: %d deliveries still queued: %w", queued, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// lease is how long a batch stays claimed: long enough to send it at the
// configured rate.
func (s *Server) lease() time.Duration {
	d := minLease
	if r := s.cfg.Delivery.RatePerSecond; r > 0 {
		d = max(d, 2*time.Duration(float64(s.cfg.Delivery.BatchSize)/r*float64(time.Second)))
	}
	return d
}

// dispatchOnce claims one batch of due deliveries, sends them and records
// the outcomes; it returns how many it claimed.
func (s *Server) dispatchOnce(ctx context.Context) (int, error) {
	jobs, err := s.claim(ctx, s.cfg.Delivery.BatchSize)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	s.sendAll(ctx, jobs)
	// Outcomes are recorded even when ctx ended mid-batch, so finished
	// sends are not repeated and unsent claims are released.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.record(wctx, jobs); err != nil {
		return len(jobs), err
	}
	return len(jobs), nil
}

// sendAll sends jobs with at most Concurrency at once and no faster than
// the configured rate.
func (s *Server) sendAll(ctx context.Context, jobs []*job) {
	queue := make(chan *job)
	var wg sync.WaitGroup
	for range min(s.cfg.Delivery.Concurrency, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				s.deliver(ctx, j)
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
}

// deliver sends one job and sets its outcome.
func (s *Server) deliver(ctx context.Context, j *job) {
	if ctx.Err() != nil {
		j.out = outcome{kind: outRelease}
		return
	}
	if j.unsubscribed {
		j.out = outcome{kind: outFailed, err: "recipient unsubscribed before delivery"}
		return
	}
	msg, err := s.buildMessage(ctx, j)
	if err != nil {
		// Building fails only on a database error: worth a retry.
		j.out = s.sendOutcome(ctx, j, fmt.Errorf("build message: %w", err))
		return
	}
	if s.sendLimit != nil {
		if err := s.sendLimit.Wait(ctx); err != nil {
			j.out = outcome{kind: outRelease}
			return
		}
	}
	if s.cfg.Delivery.Mode == ModeLog {
		j.out = s.logMessage(msg, j)
		return
	}
	err = s.cfg.Mailer.Send(ctx, msg)
	j.out = s.sendOutcome(ctx, j, err)
}
