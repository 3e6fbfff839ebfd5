// Package sqldb opens the reference services' databases — SQLite (pure Go)
// by default, PostgreSQL when given a postgres:// URL — and applies the
// migrations a service embeds (migrate.go). Queries use $1-style
// placeholders, which both drivers accept.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DefaultPostgresConns is how many connections a PostgreSQL handle opens
// at most, and keeps open while idle, until SetConns says otherwise.
const DefaultPostgresConns = 16

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
		db.SetMaxOpenConns(DefaultPostgresConns)
		db.SetMaxIdleConns(DefaultPostgresConns)
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

// SetConns sizes a PostgreSQL handle's pool to n connections, all of them
// kept open while idle, so bursts reuse connections rather than open new
// ones. Each connection holds buffers and statement caches on both ends:
// size the pool to what the service does at once, not larger. SQLite
// handles keep their one connection.
func (db *DB) SetConns(n int) {
	if db.Dialect != Postgres || n <= 0 {
		return
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
}
