package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/halcytone/contentgen/platform"
)

// Outcomes of a publish that the handler turns into replies.
var (
	errSlugConflict = errors.New("slug conflict")
	errKeyReused    = errors.New("idempotency key reused")
)

// created is the reply to a publish: its status code and body; replayed
// marks a reply stored for an earlier request with the same key.
type created struct {
	code     int
	reply    platform.CreateResponse
	replayed bool
}

// create publishes req in one transaction: a repeated Idempotency-Key gets
// its stored reply, a slug already published gets the existing update (same
// content) or errSlugConflict, and only a successful publish writes rows.
func (s *Server) create(ctx context.Context, key string, req *platform.UpdateRequest) (created, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return created{}, fmt.Errorf("publish %s: %w", req.Slug, err)
	}
	defer tx.Rollback()
	reqDigest := requestDigest(req)
	if key != "" {
		prior, found, err := storedReply(ctx, tx, key, reqDigest)
		if err != nil || found {
			return prior, err
		}
	}
	res, err := s.insertOrMatch(ctx, tx, req)
	if err != nil {
		return created{}, err
	}
	if key != "" {
		body, _ := json.Marshal(res.reply)
		if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (key, request_sha256, response_code, response, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING`, key, reqDigest, res.code, string(body), nowMillis()); err != nil {
			return created{}, fmt.Errorf("publish %s: store idempotency key: %w", req.Slug, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return created{}, fmt.Errorf("publish %s: commit: %w", req.Slug, err)
	}
	return res, nil
}

// storedReply returns the reply recorded for key, or errKeyReused when the
// key came with another body.
func storedReply(ctx context.Context, tx *sql.Tx, key, reqDigest string) (created, bool, error) {
	var sha, reply string
	var c created
	err := tx.QueryRowContext(ctx, `SELECT request_sha256, response_code, response FROM idempotency_keys WHERE key = $1`, key).
		Scan(&sha, &c.code, &reply)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return c, false, nil
	case err != nil:
		return c, false, fmt.Errorf("look up idempotency key: %w", err)
	case sha != reqDigest:
		return c, true, errKeyReused
	}
	if err := json.Unmarshal([]byte(reply), &c.reply); err != nil {
		return c, false, fmt.Errorf("read stored reply for idempotency key: %w", err)
	}
	c.replayed = true
	return c, true, nil
}

// insertOrMatch inserts the update unless its slug exists. A concurrent
// publish of the same slug makes the insert a no-op; the row it committed
// is then read and compared like any existing one.
func (s *Server) insertOrMatch(ctx context.Context, tx *sql.Tx, req *platform.UpdateRequest) (created, error) {
	hash := contentHash(req)
	tags, _ := json.Marshal(nonNil(req.Tags))
	sections, _ := json.Marshal(nonNil(req.Sections))
	now := nowMillis()
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO updates (slug, title, summary, body_html, body_markdown, tags, edition,
			source_revision, sections, content_hash, published_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $11)
		ON CONFLICT (slug) DO NOTHING RETURNING id`,
		req.Slug, req.Title, req.Summary, req.BodyHTML, req.BodyMarkdown, string(tags), req.Edition,
		req.SourceRevision, string(sections), hash, now).Scan(&id)
	if err == nil {
		return created{code: http.StatusCreated, reply: s.createResponse(id, req.Slug)}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return created{}, fmt.Errorf("publish %s: insert: %w", req.Slug, err)
	}
	var existing string
	if err := tx.QueryRowContext(ctx, `SELECT id, content_hash FROM updates WHERE slug = $1`, req.Slug).Scan(&id, &existing); err != nil {
		return created{}, fmt.Errorf("publish %s: read existing: %w", req.Slug, err)
	}
	if existing != hash {
		return created{}, errSlugConflict
	}
	return created{code: http.StatusOK, reply: s.createResponse(id, req.Slug)}, nil
}

func (s *Server) createResponse(id int64, slug string) platform.CreateResponse {
	return platform.CreateResponse{ID: id, Slug: slug, URL: s.updateURL(slug)}
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

const updateColumns = `id, slug, title, summary, body_html, body_markdown, tags, edition, source_revision, sections, published_at`

type rowScanner interface{ Scan(dest ...any) error }

func (s *Server) scanUpdate(row rowScanner) (platform.Update, error) {
	var u platform.Update
	var tags, sections string
	var published int64
	if err := row.Scan(&u.ID, &u.Slug, &u.Title, &u.Summary, &u.BodyHTML, &u.BodyMarkdown, &tags, &u.Edition,
		&u.SourceRevision, &sections, &published); err != nil {
		return u, err
	}
	if err := json.Unmarshal([]byte(tags), &u.Tags); err != nil {
		return u, fmt.Errorf("update %s: tags: %w", u.Slug, err)
	}
	if err := json.Unmarshal([]byte(sections), &u.Sections); err != nil {
		return u, fmt.Errorf("update %s: sections: %w", u.Slug, err)
	}
	if len(u.Tags) == 0 {
		u.Tags = nil
	}
	if len(u.Sections) == 0 {
		u.Sections = nil
	}
	u.URL = s.updateURL(u.Slug)
	u.PublishedAt = fromMillis(published)
	return u, nil
}

// getUpdate returns the update with slug; found is false when there is none.
func (s *Server) getUpdate(ctx context.Context, slug string) (u platform.Update, found bool, err error) {
	u, err = s.scanUpdate(s.db.QueryRowContext(ctx, `SELECT `+updateColumns+` FROM updates WHERE slug = $1`, slug))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return u, false, nil
	case err != nil:
		return u, false, fmt.Errorf("read update %s: %w", slug, err)
	}
	return u, true, nil
}

// listUpdates returns up to limit updates older than the update with ID
// before (0: from the newest), newest first.
func (s *Server) listUpdates(ctx context.Context, before int64, limit int) ([]platform.Update, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+updateColumns+` FROM updates WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list updates: %w", err)
	}
	defer rows.Close()
	updates := []platform.Update{}
	for rows.Next() {
		u, err := s.scanUpdate(rows)
		if err != nil {
			return nil, fmt.Errorf("list updates: %w", err)
		}
		updates = append(updates, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list updates: %w", err)
	}
	return updates, nil
}
