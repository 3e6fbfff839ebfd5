// Package sqldb opens the reference services' databases — SQLite (pure Go)
// by default, PostgreSQL when given a postgres:// URL — and applies the
// migrations a service embeds. Queries use $1-style placeholders, which both
// drivers accept.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is a database handle that knows its dialect.
type DB struct {
	*sql.DB
	Dialect string
}

// Open opens url: "postgres://…" or "postgresql://…" through pgx, anything
// else as a SQLite file path (":memory:" for a private in-memory database).
func Open(ctx context.Context, url string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(16)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres: %w (check DATABASE_URL and that the server is running)", err)
		}
		return &DB{DB: db, Dialect: Postgres}, nil
	}
	if url == "" {
		return nil, fmt.Errorf("open sqlite: empty path")
	}
	dsn := url
	if url != ":memory:" {
		dsn = "file:" + strings.TrimPrefix(url, "file:")
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	dsn += sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", url, err)
	}
	// One connection: SQLite has one writer, and a single connection keeps
	// ":memory:" databases whole and avoids SQLITE_BUSY under load.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w (check the folder exists and is writable)", url, err)
	}
	return &DB{DB: db, Dialect: SQLite}, nil
}

// Migrate applies, in name order, every "*.sql" file of fsys not yet
// recorded in schema_migrations. A file named "NAME.postgres.sql" or
// "NAME.sqlite.sql" applies only to that dialect. Each file runs in its own
// transaction.
func (db *DB) Migrate(ctx context.Context, fsys fs.FS) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if !db.appliesTo(name) {
			continue
		}
		if err := db.apply(ctx, fsys, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) appliesTo(name string) bool {
	base := strings.TrimSuffix(path.Base(name), ".sql")
	switch path.Ext(base) {
	case ".postgres":
		return db.Dialect == Postgres
	case ".sqlite":
		return db.Dialect == SQLite
	}
	return true
}

func (db *DB) apply(ctx context.Context, fsys fs.FS, name string) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	script, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
		return fmt.Errorf("migrate %s: record: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit: %w", name, err)
	}
	return nil
}
