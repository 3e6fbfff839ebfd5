package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// job is one claimed delivery on its way out.
type job struct {
	id           int64
	newsletterID string
	tag          string // newsletterTag(newsletterID), computed once per load
	address      string
	name         string
	variantKey   sql.NullString
	merge        map[string]string
	subject      string
	html         string
	text         string
	attempts     int
	token        sql.NullString
	unsubscribed bool
	suppressed   string // the suppression reason, when the address has one
	leaseUntil   time.Time
	out          outcome
	recorded     chan struct{}
}

type outcomeKind int

const (
	outRelease outcomeKind = iota // not attempted: back to the queue at once
	outSent
	outLogged
	outRetry
	outFailed
)

type outcome struct {
	kind      outcomeKind
	messageID string
	err       string
	retryAt   time.Time
	at        time.Time
}

// claim reserves up to n due deliveries for this dispatcher and loads them.
// The claim's conditions are repeated outside the subquery so that, on
// PostgreSQL, a row another dispatcher claimed meanwhile is skipped. The
// subquery names the status as a literal and orders like the partial index
// deliveries_queue, so it reads that index from its start and stops after
// n rows; with a bound status, or ordered by ID alone, the planners scan
// every delivery ever sent on each claim. On PostgreSQL, several
// dispatchers claim from one queue: rows another has locked are skipped
// rather than waited for.
func (s *Server) claim(ctx context.Context, n int) ([]*job, error) {
	now := nowMillis()
	until := now + s.lease().Milliseconds()
	rows, err := s.stmts.claim.QueryContext(ctx, until, now, now, n, now)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim deliveries: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	jobs, err := s.loadJobs(ctx, ids)
	for _, j := range jobs {
		j.leaseUntil = time.UnixMilli(until)
	}
	return jobs, err
}

// claimSQL claims $4 deliveries until $1, due at $2. On SQLite the limit
// is cast: SQLite prepares a statement again whenever a parameter its
// planner read is bound to another value, it reads a bare LIMIT
// parameter, and each claim asks for as many deliveries as are free.
func claimSQL(dialect string) string {
	// PostgreSQL may run an IN (… LIMIT) subquery more than once per
	// statement; a locking CTE is run once.
	if dialect == sqldb.Postgres {
		return `WITH picked AS (SELECT id FROM deliveries WHERE status = '` + crm.DeliveryQueued + `' AND next_attempt_at <= $2 AND locked_until <= $3
			ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		UPDATE deliveries d SET locked_until = $1 FROM picked
		WHERE d.id = picked.id AND d.status = '` + crm.DeliveryQueued + `' AND d.locked_until <= $5 RETURNING d.id`
	}
	return `UPDATE deliveries SET locked_until = $1
		WHERE id IN (SELECT id FROM deliveries WHERE status = '` + crm.DeliveryQueued + `' AND next_attempt_at <= $2 AND locked_until <= $3
			ORDER BY next_attempt_at, id LIMIT CAST($4 AS INTEGER))
		AND status = '` + crm.DeliveryQueued + `' AND locked_until <= $5 RETURNING id`
}

// loadJobsSQL reads the deliveries whose IDs are $1 (an inList).
func loadJobsSQL(dialect string) string {
	return `SELECT d.id, d.newsletter_id, d.address, d.name, d.variant_key, d.merge,
		d.own_subject, d.own_html, d.own_text, d.attempts, c.unsubscribe_token, c.subscribed, x.reason
		FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id LEFT JOIN suppressions x ON x.address = d.address
		WHERE ` + inList(dialect, "d.id", "$1", "bigint") + ` ORDER BY d.id`
}

func (s *Server) loadJobs(ctx context.Context, ids []int64) ([]*job, error) {
	rows, err := s.stmts.loadJobs.QueryContext(ctx, int64List(s.db.Dialect, ids))
	if err != nil {
		return nil, fmt.Errorf("load deliveries: %w", err)
	}
	defer rows.Close()
	jobs := make([]*job, 0, len(ids))
	tags := map[string]string{}
	for rows.Next() {
		j := &job{}
		var merge string
		var subscribed sql.NullBool
		var suppressed sql.NullString
		if err := rows.Scan(&j.id, &j.newsletterID, &j.address, &j.name, &j.variantKey, &merge,
			&j.subject, &j.html, &j.text, &j.attempts, &j.token, &subscribed, &suppressed); err != nil {
			return nil, fmt.Errorf("load deliveries: %w", err)
		}
		if j.merge, err = decodeMerge(merge); err != nil {
			return nil, fmt.Errorf("delivery %d merge values: %w", j.id, err)
		}
		j.unsubscribed = subscribed.Valid && !subscribed.Bool
		j.suppressed = suppressed.String
		if j.tag = tags[j.newsletterID]; j.tag == "" {
			j.tag = newsletterTag(j.newsletterID)
			tags[j.newsletterID] = j.tag
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// record writes every job's outcome in one transaction. Sent and logged
// deliveries of one newsletter are marked with one statement, which
// commits by itself when it is the only one.
func (s *Server) record(ctx context.Context, jobs []*job) error {
	type group struct {
		status, newsletter string
	}
	done := map[group][]int64{}
	var order []group
	var others []*job
	for _, j := range jobs {
		if j.out.kind != outSent && j.out.kind != outLogged {
			others = append(others, j)
			continue
		}
		g := group{crm.DeliverySent, j.newsletterID}
		if j.out.kind == outLogged {
			g.status = crm.DeliveryLogged
		}
		if _, ok := done[g]; !ok {
			order = append(order, g)
		}
		done[g] = append(done[g], j.id)
	}
	var tx *sql.Tx
	if len(others)+len(order) > 1 {
		var err error
		if tx, err = s.db.BeginTx(ctx, nil); err != nil {
			return fmt.Errorf("record deliveries: %w", err)
		}
		defer tx.Rollback()
	}
	for _, j := range others {
		if err := s.recordOne(ctx, tx, j); err != nil {
			return err
		}
	}
	now := nowMillis()
	for _, g := range order {
		// The Message-ID is the delivery ID and a suffix per newsletter
		// (see messageID), so SQL can write it for the whole group.
		suffix := strings.TrimPrefix(s.messageID(&job{newsletterID: g.newsletter}), "0")
		_, err := inTx(ctx, tx, s.stmts.recordDone).ExecContext(ctx, g.status, suffix, now, int64List(s.db.Dialect, done[g]))
		if err != nil {
			return fmt.Errorf("record %d %s deliveries: %w", len(done[g]), g.status, err)
		}
	}
	if tx == nil {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record deliveries: commit: %w", err)
	}
	return nil
}

// recordDoneSQL marks the deliveries $4 (an inList) as $1, sent at $3,
// with Message-IDs of their ID and the suffix $2.
func recordDoneSQL(dialect string) string {
	return `UPDATE deliveries SET status = $1, smtp_message_id = CAST(id AS TEXT) || $2, error = '',
		attempts = attempts + 1, sent_at = $3, locked_until = 0 WHERE ` + inList(dialect, "id", "$4", "bigint")
}

// The outcomes recorded one delivery at a time.
const (
	releaseSQL = `UPDATE deliveries SET locked_until = 0 WHERE id = $1`
	retrySQL   = `UPDATE deliveries SET attempts = $1, error = $2, next_attempt_at = $3, locked_until = 0 WHERE id = $4`
	finishSQL  = `UPDATE deliveries SET status = $1, smtp_message_id = $2, error = $3, attempts = $4,
		sent_at = $5, locked_until = 0 WHERE id = $6`
)

// recordOne records j's outcome, within tx when it is not nil.
func (s *Server) recordOne(ctx context.Context, tx *sql.Tx, j *job) error {
	o := j.out
	var err error
	switch o.kind {
	case outRelease:
		_, err = inTx(ctx, tx, s.stmts.release).ExecContext(ctx, j.id)
	case outRetry:
		_, err = inTx(ctx, tx, s.stmts.retry).ExecContext(ctx, j.attempts+1, o.err, o.retryAt.UnixMilli(), j.id)
	default:
		status := crm.DeliveryFailed
		switch o.kind {
		case outSent:
			status = crm.DeliverySent
		case outLogged:
			status = crm.DeliveryLogged
		}
		var sentAt any
		if o.kind != outFailed {
			sentAt = o.at.UnixMilli()
		}
		_, err = inTx(ctx, tx, s.stmts.finish).ExecContext(ctx, status, o.messageID, o.err, j.attempts+1, sentAt, j.id)
	}
	if err != nil {
		return fmt.Errorf("record delivery %d: %w", j.id, err)
	}
	return nil
}

// decodeMerge reads a delivery's merge values, stored as a flat JSON
// object of strings. The common case, no escapes, is read without
// encoding/json, which costs more than the rest of loading a delivery;
// anything else goes to encoding/json.
func decodeMerge(s string) (map[string]string, error) {
	out := make(map[string]string, 8)
	i := 0
	str := func() (string, bool) {
		if i >= len(s) || s[i] != '"' {
			return "", false
		}
		end := strings.IndexByte(s[i+1:], '"')
		if end < 0 {
			return "", false
		}
		v := s[i+1 : i+1+end]
		if strings.IndexByte(v, '\\') >= 0 {
			return "", false
		}
		i += end + 2
		return v, true
	}
	fast := len(s) >= 2 && s[0] == '{'
	for i = 1; fast && i < len(s) && s[i] != '}'; {
		k, ok := str()
		if !ok || i >= len(s) || s[i] != ':' {
			fast = false
			break
		}
		i++
		v, ok := str()
		if !ok {
			fast = false
			break
		}
		out[k] = v
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
	if fast && i == len(s)-1 {
		return out, nil
	}
	clear(out)
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}
