package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// legacyTable is where databases created before goose recorded the names
// of the files applied to them.
const legacyTable = "schema_migrations"

// Migrate applies the migrations of fsys with goose, recording them in the
// table "<service>_schema_versions", so services sharing a database keep
// their own versions. Files are goose SQL files ("-- +goose Up") named
// "NNN_name.sql"; "NNN_name.postgres.sql" and "NNN_name.sqlite.sql" apply
// only to that dialect, for the migrations whose SQL differs. On
// PostgreSQL, replicas starting together take turns through an advisory
// lock, so each migration runs once. A database migrated before goose
// keeps the migrations recorded in schema_migrations.
func (db *DB) Migrate(ctx context.Context, service string, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
	}
	var mine, others []string
	for _, name := range names {
		if db.appliesTo(name) {
			mine = append(mine, name)
		} else {
			others = append(others, name)
		}
	}
	table := service + "_schema_versions"
	dialect := database.DialectSQLite3
	opts := []goose.ProviderOption{
		goose.WithExcludeNames(others),
		goose.WithTableName(table),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	var locker lock.SessionLocker
	if db.Dialect == Postgres {
		dialect = database.DialectPostgres
		// Probe every second for up to five minutes: a replica waits for
		// another's migrations, not for goose's default five-second poll.
		if locker, err = lock.NewPostgresSessionLocker(lock.WithLockID(lockID(table)), lock.WithLockTimeout(1, 300)); err != nil {
			return fmt.Errorf("migrate %s: %w", service, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	store, err := database.NewStore(dialect, table)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
	}
	if err := db.adoptLegacy(ctx, store, locker, mine); err != nil {
		return fmt.Errorf("migrate %s: record the migrations schema_migrations lists: %w", service, err)
	}
	p, err := goose.NewProvider(dialect, db.DB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", service, err)
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

// lockID is the advisory lock of one version table.
func lockID(table string) int64 {
	h := fnv.New64a()
	h.Write([]byte("contentgen migrate " + table))
	return int64(h.Sum64() &^ (1 << 63))
}

// adoptLegacy records in goose's version table the files of names that the
// migrator before goose applied, once, when that table does not exist yet.
// On PostgreSQL it holds the migration lock meanwhile, so a replica
// starting at the same time sees either nothing or the whole record.
func (db *DB) adoptLegacy(ctx context.Context, store database.Store, locker lock.SessionLocker, names []string) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if locker != nil {
		if err := locker.SessionLock(ctx, conn); err != nil {
			return err
		}
		defer func() {
			if uerr := locker.SessionUnlock(context.WithoutCancel(ctx), conn); err == nil {
				err = uerr
			}
		}()
	}
	if ok, err := db.tableExists(ctx, conn, store.Tablename()); err != nil || ok {
		return err
	}
	if ok, err := db.tableExists(ctx, conn, legacyTable); err != nil || !ok {
		return err
	}
	applied, err := legacyApplied(ctx, conn)
	if err != nil {
		return err
	}
	var versions []int64
	for _, name := range names {
		if !applied[name] {
			continue
		}
		v, err := goose.NumericComponent(name)
		if err != nil {
			return err
		}
		versions = append(versions, v)
	}
	if len(versions) == 0 {
		return nil // none of this service's files: goose starts afresh
	}
	slices.Sort(versions)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := store.CreateVersionTable(ctx, tx); err != nil {
		return err
	}
	for _, v := range append([]int64{0}, versions...) {
		if err := store.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func legacyApplied(ctx context.Context, conn *sql.Conn) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name FROM `+legacyTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		applied[name] = true
	}
	return applied, rows.Err()
}

func (db *DB) tableExists(ctx context.Context, conn *sql.Conn, table string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
	if db.Dialect == Postgres {
		q = `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = $1 AND schemaname = current_schema()`
	}
	var n int
	if err := conn.QueryRowContext(ctx, q, table).Scan(&n); err != nil {
		return false, fmt.Errorf("look for table %s: %w", table, err)
	}
	return n > 0, nil
}
