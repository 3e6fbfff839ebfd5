package server

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/halcytone/contentgen/platform"
)

// SetStats replaces every usage figure with stats, shown in their order.
func (s *Server) SetStats(ctx context.Context, stats []platform.Stat) error {
	if err := checkStats(stats); err != nil {
		return fmt.Errorf("set stats: %w", err)
	}
	return s.inTx(ctx, "set stats", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM stats`); err != nil {
			return err
		}
		return insertStats(ctx, tx, stats, 1, false)
	})
}

// SeedStats adds the figures whose key is not present yet and leaves the
// others as they are, so seeding at every start never undoes a later
// SetStats. New figures are shown after the existing ones.
func (s *Server) SeedStats(ctx context.Context, stats []platform.Stat) error {
	if err := checkStats(stats); err != nil {
		return fmt.Errorf("seed stats: %w", err)
	}
	return s.inTx(ctx, "seed stats", func(tx *sql.Tx) error {
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM stats`).Scan(&last); err != nil {
			return err
		}
		return insertStats(ctx, tx, stats, last+1, true)
	})
}

func checkStats(stats []platform.Stat) error {
	seen := map[string]bool{}
	for i, st := range stats {
		switch {
		case st.Key == "" || st.Label == "":
			return fmt.Errorf("figure %d: key and label are required", i+1)
		case seen[st.Key]:
			return fmt.Errorf("figure %q is listed twice", st.Key)
		case math.IsNaN(st.Value) || math.IsInf(st.Value, 0):
			return fmt.Errorf("figure %q: value must be a finite number", st.Key)
		}
		seen[st.Key] = true
	}
	return nil
}

func insertStats(ctx context.Context, tx *sql.Tx, stats []platform.Stat, position int, keepExisting bool) error {
	q := `INSERT INTO stats (key, label, value, unit, position, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`
	if keepExisting {
		q += ` ON CONFLICT (key) DO NOTHING`
	}
	now := nowMillis()
	for _, st := range stats {
		res, err := tx.ExecContext(ctx, q, st.Key, st.Label, st.Value, st.Unit, position, now)
		if err != nil {
			return fmt.Errorf("figure %q: %w", st.Key, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			position++
		}
	}
	return nil
}

func (s *Server) inTx(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", op, err)
	}
	return nil
}

// stats returns the figures in display order, and when they last changed.
func (s *Server) stats(ctx context.Context) (platform.StatsResponse, error) {
	resp := platform.StatsResponse{Stats: []platform.Stat{}}
	rows, err := s.db.QueryContext(ctx, `SELECT key, label, value, unit, updated_at FROM stats ORDER BY position, key`)
	if err != nil {
		return resp, fmt.Errorf("read stats: %w", err)
	}
	defer rows.Close()
	var newest int64
	for rows.Next() {
		var st platform.Stat
		var updated int64
		if err := rows.Scan(&st.Key, &st.Label, &st.Value, &st.Unit, &updated); err != nil {
			return resp, fmt.Errorf("read stats: %w", err)
		}
		resp.Stats = append(resp.Stats, st)
		newest = max(newest, updated)
	}
	if err := rows.Err(); err != nil {
		return resp, fmt.Errorf("read stats: %w", err)
	}
	if newest > 0 {
		resp.AsOf = fromMillis(newest)
	}
	return resp, nil
}
