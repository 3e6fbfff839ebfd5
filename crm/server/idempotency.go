package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/halcytone/contentgen/httpapi"
)

// Idempotency key states.
const (
	keyInFlight = "in_flight"
	keyDone     = "done"
)

// staleInFlight is how long an in-flight key blocks its retries. The work
// of a request commits atomically with its reply, so a key left in flight
// by a crash has no effect and may be taken over.
const staleInFlight = 2 * time.Minute

// DefaultIdempotencyRetention is how long an Idempotency-Key is kept when
// Config.IdempotencyRetention is zero: far longer than any client retries
// a request. After it a repeated key is a new request, which the delivery
// log still keeps from reaching an address twice.
const DefaultIdempotencyRetention = 7 * 24 * time.Hour

// pruneInterval is how often the dispatcher deletes expired keys.
const pruneInterval = time.Hour

// pruneKeysSQL deletes the keys last touched before $1 (Unix
// milliseconds), through the index on updated_at.
const pruneKeysSQL = `DELETE FROM idempotency_keys WHERE updated_at < $1`

// PruneIdempotencyKeys deletes the keys last touched before now minus the
// retention period and returns how many it deleted.
func (s *Server) PruneIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	cutoff := now.Add(-s.cfg.IdempotencyRetention).UnixMilli()
	res, err := s.db.ExecContext(ctx, pruneKeysSQL, cutoff)
	if err != nil {
		return 0, fmt.Errorf("prune idempotency keys: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Statements of a request's Idempotency-Key.
const (
	keyReadSQL = `SELECT request_sha256, status, response_code, response, updated_at
		FROM idempotency_keys WHERE key = $1`
	keyInsertSQL = `INSERT INTO idempotency_keys (key, request_sha256, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING`
	keyTakeOverSQL = `UPDATE idempotency_keys SET updated_at = $1 WHERE key = $2 AND updated_at = $3`
	keyFinishSQL   = `UPDATE idempotency_keys SET status = $1, response_code = $2, response = $3, updated_at = $4
		WHERE key = $5`
)

// priorRequest is what an earlier request with the same key left.
type priorRequest struct {
	found    bool
	mismatch bool
	inFlight bool
	code     int
	reply    []byte
}

// done writes the reply owed to a repeated key and reports whether it did;
// false means this request owns the key and goes on.
func (p priorRequest) done(w http.ResponseWriter) bool {
	switch {
	case !p.found:
		return false
	case p.mismatch:
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "idempotency_key_reused", httpapi.HeaderIdempotencyKey,
			"this Idempotency-Key was used for a different request body; use a new key for a new batch")
	case p.inFlight:
		w.Header().Set("Retry-After", "1")
		httpapi.WriteError(w, http.StatusConflict, "request_in_flight", httpapi.HeaderIdempotencyKey,
			"a request with this Idempotency-Key is still being processed; retry shortly")
	default:
		writeRaw(w, p.code, p.reply)
	}
	return true
}

// claimKey records key as in flight for a request whose body hashes to
// digest, or returns what an earlier request with the key left. Nothing is
// written when the key is already taken.
func (s *Server) claimKey(ctx context.Context, key, digest string) (priorRequest, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return priorRequest{}, fmt.Errorf("claim idempotency key: %w", err)
	}
	defer tx.Rollback()
	var p priorRequest
	var sha, status, reply string
	var updated int64
	err = inTx(ctx, tx, s.stmts.keyRead).QueryRowContext(ctx, key).Scan(&sha, &status, &p.code, &reply, &updated)
	now := nowMillis()
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := inTx(ctx, tx, s.stmts.keyInsert).ExecContext(ctx, key, digest, keyInFlight, now, now)
		if err != nil {
			return p, fmt.Errorf("claim idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Another request claimed it between our read and insert.
			return priorRequest{found: true, inFlight: true}, nil
		}
	case err != nil:
		return p, fmt.Errorf("claim idempotency key: %w", err)
	case sha != digest:
		return priorRequest{found: true, mismatch: true}, nil
	case status == keyDone:
		return priorRequest{found: true, code: p.code, reply: []byte(reply)}, nil
	case now-updated < staleInFlight.Milliseconds():
		return priorRequest{found: true, inFlight: true}, nil
	default:
		res, err := inTx(ctx, tx, s.stmts.keyTakeOver).ExecContext(ctx, now, key, updated)
		if err != nil {
			return p, fmt.Errorf("take over idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return priorRequest{found: true, inFlight: true}, nil
		}
	}
	if err := tx.Commit(); err != nil {
		return p, fmt.Errorf("claim idempotency key: commit: %w", err)
	}
	return priorRequest{}, nil
}

// releaseKey forgets a claim whose work failed, so a retry can run.
func (s *Server) releaseKey(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE key = $1 AND status = $2`, key, keyInFlight); err != nil {
		s.log.Error("release idempotency key", "err", err)
	}
}

// finishKey stores the reply for key inside the request's transaction.
func (s *Server) finishKey(ctx context.Context, tx *sql.Tx, key string, code int, reply []byte) error {
	_, err := inTx(ctx, tx, s.stmts.keyFinish).ExecContext(ctx, keyDone, code, string(reply), nowMillis(), key)
	if err != nil {
		return fmt.Errorf("store reply for idempotency key: %w", err)
	}
	return nil
}
