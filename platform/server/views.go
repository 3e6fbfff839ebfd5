package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// viewDay is the UTC day a view counts on.
func viewDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// robotAgents mark user agents whose reads are not people's.
var robotAgents = []string{"bot", "crawl", "spider", "slurp", "preview", "monitor", "curl/", "wget/", "python-requests", "go-http-client"}

// countable reports whether a page load is a person's read: not a
// robot, not a browser prefetching a link nobody opened yet.
func countable(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	if p := r.Header.Get("Sec-Purpose") + r.Header.Get("Purpose"); strings.Contains(p, "prefetch") {
		return false
	}
	ua := strings.ToLower(r.UserAgent())
	if ua == "" {
		return false
	}
	for _, bot := range robotAgents {
		if strings.Contains(ua, bot) {
			return false
		}
	}
	return true
}

// clientAddr is the reader's address: the connection's peer, or the
// first X-Forwarded-For entry behind a trusted proxy. It only ever enters
// the visitor hash.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recordView counts one read of the update with id: one more view, and
// one more unique visitor when this visitor has not read it today.
func (s *Server) recordView(ctx context.Context, updateID int64, r *http.Request) error {
	day := viewDay(s.now())
	if err := s.forgetPastDays(ctx, day); err != nil {
		return err
	}
	salt, err := s.daySalt(ctx, day)
	if err != nil {
		return err
	}
	h := sha256.New()
	for _, part := range []string{salt, s.clientAddr(r), r.UserAgent()} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	visitor := hex.EncodeToString(h.Sum(nil))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("count view: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO view_visitors (day, update_id, visitor) VALUES ($1, $2, $3)
		ON CONFLICT (day, update_id, visitor) DO NOTHING`, day, updateID, visitor)
	if err != nil {
		return fmt.Errorf("count view: %w", err)
	}
	unique, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `INSERT INTO update_views (update_id, day, views, uniques) VALUES ($1, $2, 1, $3)
		ON CONFLICT (update_id, day) DO UPDATE SET views = update_views.views + 1, uniques = update_views.uniques + $3`,
		updateID, day, unique); err != nil {
		return fmt.Errorf("count view: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("count view: %w", err)
	}
	return nil
}

// daySalt returns the salt of day, creating it on the day's first view.
// Replicas sharing a database agree on it: the first insert wins.
func (s *Server) daySalt(ctx context.Context, day string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("view salt: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO view_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING`,
		day, base64.RawStdEncoding.EncodeToString(b)); err != nil {
		return "", fmt.Errorf("view salt: %w", err)
	}
	var salt string
	if err := s.db.QueryRowContext(ctx, `SELECT salt FROM view_salts WHERE day = $1`, day).Scan(&salt); err != nil {
		return "", fmt.Errorf("view salt: %w", err)
	}
	return salt, nil
}

// forgetPastDays deletes the salts and visitor hashes of days before
// today, once per day per process; the counts stay.
func (s *Server) forgetPastDays(ctx context.Context, today string) error {
	s.viewsMu.Lock()
	defer s.viewsMu.Unlock()
	if s.prunedDay == today {
		return nil
	}
	for _, q := range []string{`DELETE FROM view_salts WHERE day < $1`, `DELETE FROM view_visitors WHERE day < $1`} {
		if _, err := s.db.ExecContext(ctx, q, today); err != nil {
			return fmt.Errorf("forget past visitors: %w", err)
		}
	}
	s.prunedDay = today
	return nil
}

// viewsOf returns the reads of update u, day by day, oldest first.
func (s *Server) viewsOf(ctx context.Context, u platform.Update) (platform.Views, error) {
	v := platform.Views{Edition: u.Edition, Slug: u.Slug, Days: []platform.ViewDay{}}
	rows, err := s.db.QueryContext(ctx, `SELECT day, views, uniques FROM update_views WHERE update_id = $1 ORDER BY day`, u.ID)
	if err != nil {
		return v, fmt.Errorf("views of %s: %w", u.Slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d platform.ViewDay
		if err := rows.Scan(&d.Day, &d.Views, &d.UniqueVisitors); err != nil {
			return v, fmt.Errorf("views of %s: %w", u.Slug, err)
		}
		v.Days = append(v.Days, d)
		v.Views += d.Views
		v.UniqueVisitors += d.UniqueVisitors
	}
	return v, rows.Err()
}

// updateOfEdition returns the update of edition; found is false when
// there is none.
func (s *Server) updateOfEdition(ctx context.Context, edition string) (platform.Update, bool, error) {
	u, err := s.scanUpdate(s.db.QueryRowContext(ctx, `SELECT `+updateColumns+` FROM updates WHERE edition = $1 ORDER BY id DESC LIMIT 1`, edition))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return u, false, nil
	case err != nil:
		return u, false, fmt.Errorf("read update of edition %s: %w", edition, err)
	}
	return u, true, nil
}

// handleViews answers GET /api/v1/views?edition=E.
func (s *Server) handleViews(w http.ResponseWriter, r *http.Request) {
	ed := r.URL.Query().Get("edition")
	if ed == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_query", "edition", "name the edition: %s?edition=2026-W48", platform.PathViews)
		return
	}
	u, found, err := s.updateOfEdition(r.Context(), ed)
	if err == nil && !found {
		httpapi.WriteError(w, http.StatusNotFound, platform.CodeNotFound, "edition", "no update of edition %s is published", ed)
		return
	}
	var v platform.Views
	if err == nil {
		v, err = s.viewsOf(r.Context(), u)
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "read views", "edition", ed, "err", err)
		httpapi.WriteError(w, http.StatusInternalServerError, "internal", "", "could not read the views; try again")
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, v)
}
