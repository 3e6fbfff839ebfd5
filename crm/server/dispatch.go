package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/halcytone/contentgen/crm"
)

// DefaultLease is how long a claimed delivery stays reserved for the
// dispatcher that claimed it. A dispatcher that stops cleanly releases its
// claims; one that crashes leaves them to expire.
const DefaultLease = 30 * time.Second

// Run delivers queued messages until ctx is done. Deliveries queued by an
// earlier process, or left by one that crashed, are picked up as well.
func (s *Server) Run(ctx context.Context) error {
	if s.cfg.Delivery.Mode == ModeSMTP && s.cfg.Mailer == nil {
		return errors.New("crm dispatcher: no Mailer configured for the smtp delivery mode; configure SMTP or use the log mode")
	}
	s.log.Info("dispatcher started", "mode", s.cfg.Delivery.Mode, "concurrency", s.cfg.Delivery.Concurrency,
		"ratePerSecond", s.cfg.Delivery.RatePerSecond, "dkim", s.dkim != nil)
	pruned := make(chan struct{})
	go func() { defer close(pruned); s.pruneLoop(ctx) }()
	tallied := make(chan struct{})
	go func() { defer close(tallied); s.tallyLoop(ctx) }()
	err := s.dispatch(ctx, false)
	<-pruned
	<-tallied
	s.log.Info("dispatcher stopped")
	return err
}

// pruneLoop deletes expired idempotency keys every pruneInterval until
// ctx is done.
func (s *Server) pruneLoop(ctx context.Context) {
	for {
		if n, err := s.PruneIdempotencyKeys(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.log.Error("prune idempotency keys", "err", err)
		} else if n > 0 {
			s.log.Info("idempotency keys pruned", "deleted", n, "retention", s.cfg.IdempotencyRetention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pruneInterval):
		}
	}
}

// Flush delivers until no delivery is queued, waiting out retry delays and
// other dispatchers' claims. It works with or without Run.
func (s *Server) Flush(ctx context.Context) error {
	if s.cfg.Delivery.Mode == ModeSMTP && s.cfg.Mailer == nil {
		return errors.New("crm flush: no Mailer configured for the smtp delivery mode")
	}
	if err := s.dispatch(ctx, true); err != nil {
		return fmt.Errorf("crm flush: %w", err)
	}
	return nil
}

// dispatch runs claim → build and send → record as a pipeline without
// barriers: one claimer keeps a bounded queue of claimed deliveries full,
// Concurrency senders take from it, and one recorder commits outcomes in
// groups, back to back. In SMTP mode a sender takes its next delivery
// only once the outcome of its last is committed, so a crash can send
// again at most the Concurrency messages in flight. untilEmpty ends dispatch when nothing
// is queued; otherwise it runs until ctx ends.
func (s *Server) dispatch(ctx context.Context, untilEmpty bool) error {
	n := s.cfg.Delivery.Concurrency
	// slots bounds deliveries claimed and not yet recorded: claimed ones
	// wait at most the time to send that many, well within their lease.
	slots := make(chan struct{}, max(4*n, s.cfg.Delivery.BatchSize))
	jobs := make(chan *job, cap(slots))
	// Once a message is handed to SMTP, its sender waits for the commit of
	// its outcome; logged messages reach no one, so their senders go on.
	wait := s.cfg.Delivery.Mode == ModeSMTP
	rec := &recorder{s: s, in: make(chan *job, cap(slots)), slots: slots, max: cap(slots), wait: groupWait, freed: make(chan struct{}, 1)}
	if wait {
		rec.max = n
	}
	recDone := make(chan struct{})
	go func() { rec.run(); close(recDone) }()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for j := range jobs {
				buf = s.deliver(ctx, j, buf[:0])
				rec.record(j, wait)
			}
		}()
	}
	err := s.claimLoop(ctx, jobs, slots, rec, untilEmpty)
	close(jobs)
	wg.Wait()
	close(rec.in)
	<-recDone
	if ctx.Err() != nil && !untilEmpty {
		return nil
	}
	return err
}

// queueingClaim bounds the deliveries claimed and not yet recorded while
// newsletter requests are being queued, however many slots there are;
// requests are taken to be queued until queueingQuiet after the last one.
const (
	queueingClaim = 100
	queueingQuiet = 100 * time.Millisecond
)

// queueing reports whether newsletter requests are being queued.
func (s *Server) queueing() bool {
	return len(s.batches) > 0 || time.Since(time.Unix(0, s.lastQueued.Load())) < queueingQuiet
}

// claimLoop claims deliveries whenever half the slots in use are free, so
// each claim fetches a group rather than one row. While newsletter
// requests are being queued it uses at most queueingClaim slots: on
// SQLite a claim and a commit hold the connection those requests write
// on, and small ones keep acceptance quick. Once none is, it uses them
// all, in the log mode up to LogBatchSize: fewer, larger claims and
// commits deliver what was queued sooner.
func (s *Server) claimLoop(ctx context.Context, jobs chan<- *job, slots chan struct{}, rec *recorder, untilEmpty bool) error {
	tick := time.NewTicker(s.cfg.Delivery.PollInterval)
	defer tick.Stop()
	for {
		limit := cap(slots)
		if s.queueing() {
			limit = min(limit, queueingClaim)
		}
		for len(slots) > limit/2 {
			select {
			case <-rec.freed:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		// Only this loop takes slots, so these are free.
		k := limit - len(slots)
		for range k {
			slots <- struct{}{}
		}
		claimed, err := s.claim(ctx, k)
		drain(slots, k-len(claimed))
		for range len(claimed) - k {
			slots <- struct{}{} // never more than asked for, but stay balanced
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if untilEmpty {
				return err
			}
			s.log.Error("dispatch: claim", "err", err)
		}
		rec.expect(len(claimed))
		for _, j := range claimed {
			jobs <- j
		}
		if len(claimed) > 0 {
			continue
		}
		if untilEmpty && err == nil {
			done, err := s.drained(ctx, slots)
			if done || err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// drained reports whether nothing is in flight here and nothing is queued.
func (s *Server) drained(ctx context.Context, slots chan struct{}) (bool, error) {
	if len(slots) > 0 {
		return false, nil
	}
	var queued int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE status = $1`, crm.DeliveryQueued).Scan(&queued); err != nil {
		return false, fmt.Errorf("count queued: %w", err)
	}
	return queued == 0 && len(slots) == 0, nil
}

func drain(slots chan struct{}, k int) {
	for range k {
		<-slots
	}
}

// lease is how long a claim lasts: DeliveryConfig.Lease, and long enough
// to send a batch at the configured rate.
func (s *Server) lease() time.Duration {
	d := s.cfg.Delivery.Lease
	if r := s.cfg.Delivery.RatePerSecond; r > 0 {
		d = max(d, 2*time.Duration(float64(max(4*s.cfg.Delivery.Concurrency, s.cfg.Delivery.BatchSize))/r*float64(time.Second)))
	}
	return d
}

// deliver builds and sends one job into buf and sets its outcome.
func (s *Server) deliver(ctx context.Context, j *job, buf []byte) []byte {
	if ctx.Err() != nil {
		j.out = outcome{kind: outRelease}
		return buf
	}
	if j.unsubscribed {
		j.out = outcome{kind: outFailed, err: "recipient unsubscribed before delivery"}
		return buf
	}
	if j.suppressed != "" {
		j.out = outcome{kind: outFailed, err: "address suppressed before delivery (" + j.suppressed + ")"}
		return buf
	}
	msg, err := s.buildMessage(ctx, j, buf)
	if err != nil {
		j.out = s.sendOutcome(ctx, j, fmt.Errorf("build message: %w", err))
		return msg
	}
	if s.sendLimit != nil {
		if err := s.sendLimit.Wait(ctx); err != nil {
			j.out = outcome{kind: outRelease}
			return msg
		}
	}
	// A claim close to expiry may be taken by another dispatcher: give it
	// back rather than risk two sends.
	if time.Until(j.leaseUntil) < s.lease()/2 {
		j.out = outcome{kind: outRelease}
		return msg
	}
	if s.cfg.Delivery.Mode == ModeLog {
		s.log.Debug("message logged", "deliveryId", j.id, "to", j.address, "bytes", len(msg))
		j.out = outcome{kind: outLogged, messageID: s.messageID(j), at: time.Now()}
		return msg
	}
	err = s.cfg.Mailer.Send(ctx, s.returnPath(j), j.address, msg)
	j.out = s.sendOutcome(ctx, j, err)
	return msg
}

// sendOutcome classifies a send: permanent (5xx) failures end the
// delivery, others are retried with doubling delays up to MaxAttempts.
func (s *Server) sendOutcome(ctx context.Context, j *job, err error) outcome {
	switch {
	case err == nil:
		return outcome{kind: outSent, messageID: s.messageID(j), at: time.Now()}
	case ctx.Err() != nil:
		return outcome{kind: outRelease}
	case permanent(err):
		return outcome{kind: outFailed, err: err.Error()}
	case j.attempts+1 >= s.cfg.Delivery.MaxAttempts:
		return outcome{kind: outFailed, err: fmt.Sprintf("gave up after %d attempts: %v", j.attempts+1, err)}
	}
	delay := s.cfg.Delivery.RetryBackoff << min(j.attempts, 16)
	s.log.Warn("delivery will be retried", "deliveryId", j.id, "to", j.address, "attempt", j.attempts+1, "in", delay, "err", err)
	return outcome{kind: outRetry, err: err.Error(), retryAt: time.Now().Add(delay)}
}

// recorder commits outcomes in groups: what arrives within groupWait of
// the first goes into one commit, which comes sooner once the group holds
// max outcomes (in SMTP mode one from every sender) or the outcome of
// every claimed delivery: then nothing more can come before the next
// claim, which waits for the slots this commit frees.
type recorder struct {
	s     *Server
	in    chan *job
	slots chan struct{} // freed as outcomes are committed
	max   int           // outcomes per commit
	wait  time.Duration // groupWait
	// freed tells the claim loop that a commit freed slots.
	freed chan struct{}
	// due counts claimed deliveries whose outcome the recorder has not
	// yet taken in.
	due atomic.Int64
}

// expect tells the recorder that n more deliveries were claimed.
func (r *recorder) expect(n int) { r.due.Add(int64(n)) }

// record hands j's outcome over and, when wait, waits until it is
// committed.
func (r *recorder) record(j *job, wait bool) {
	if !wait {
		r.in <- j
		return
	}
	j.recorded = make(chan struct{})
	r.in <- j
	<-j.recorded
}

// groupWait is how long the recorder waits for more outcomes before a
// commit, unless it has its most (in SMTP mode, one from every sender) or
// every outcome due.
const groupWait = time.Millisecond

func (r *recorder) run() {
	group := make([]*job, 0, r.max)
	timer := time.NewTimer(r.wait)
	for j := range r.in {
		group = append(group[:0], j)
		r.due.Add(-1)
		timer.Reset(r.wait)
	more:
		for len(group) < r.max && r.due.Load() > 0 {
			select {
			case j, ok := <-r.in:
				if !ok {
					break more
				}
				group = append(group, j)
				r.due.Add(-1)
			case <-timer.C:
				break more
			}
		}
		r.commit(group)
		for _, j := range group {
			if j.recorded != nil {
				close(j.recorded)
			}
			<-r.slots
		}
		select {
		case r.freed <- struct{}{}:
		default:
		}
	}
}

// commit records a group, retrying while the database is unavailable:
// senders wait meanwhile, so nothing more is sent unrecorded.
// After two minutes it gives up: the claims then expire and those
// deliveries are sent again, as after a crash.
func (r *recorder) commit(group []*job) {
	giveUp := time.Now().Add(2 * time.Minute)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := r.s.record(ctx, group)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(giveUp) {
			r.s.log.Error("dispatch: outcomes not recorded; their deliveries will be sent again once their claims expire",
				"deliveries", len(group), "err", err)
			return
		}
		r.s.log.Error("dispatch: record outcomes; retrying", "deliveries", len(group), "in", wait, "err", err)
		time.Sleep(wait)
	}
}
