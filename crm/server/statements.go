package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/halcytone/contentgen/internal/sqldb"
)

// statements are the queries run for every delivery, every group of
// outcomes and every newsletter request, prepared once. SQLite spends
// about as long parsing such a statement as running it. database/sql keeps
// one prepared copy per connection, and prepares a statement again on a
// connection opened later (after the database restarted, say). Their text
// does not depend on how many rows they touch: a list of IDs or addresses
// is one parameter (see inList), so one statement serves every length.
type statements struct {
	// The dispatcher's.
	claim, loadJobs, recordDone, release, retry, finish *sql.Stmt
	// A newsletter request's. deliveries inserts a full chunk of
	// insertChunk rows; a last, shorter chunk is sent as it is.
	keyRead, keyInsert, keyTakeOver, keyFinish            *sql.Stmt
	newsletter, variant, contacts, suppressed, deliveries *sql.Stmt

	all []*sql.Stmt
}

// prepareStatements prepares every statement for db's dialect.
func prepareStatements(ctx context.Context, db *sqldb.DB) (*statements, error) {
	st := &statements{}
	d := db.Dialect
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.claim, claimSQL(d)},
		{&st.loadJobs, loadJobsSQL(d)},
		{&st.recordDone, recordDoneSQL(d)},
		{&st.release, releaseSQL},
		{&st.retry, retrySQL},
		{&st.finish, finishSQL},
		{&st.keyRead, keyReadSQL},
		{&st.keyInsert, keyInsertSQL},
		{&st.keyTakeOver, keyTakeOverSQL},
		{&st.keyFinish, keyFinishSQL},
		{&st.newsletter, newsletterSQL},
		{&st.variant, variantSQL},
		{&st.contacts, contactsSQL(d)},
		{&st.suppressed, suppressedSQL(d)},
		{&st.deliveries, insertDeliveriesSQL(d, insertChunk)},
	} {
		stmt, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			_ = st.close()
			return nil, fmt.Errorf("prepare %s: %w", firstLine(p.query), err)
		}
		*p.stmt = stmt
		st.all = append(st.all, stmt)
	}
	return st, nil
}

// close releases every statement on every connection.
func (st *statements) close() error {
	var errs []error
	for _, stmt := range st.all {
		errs = append(errs, stmt.Close())
	}
	st.all = nil
	return errors.Join(errs...)
}

// inTx returns stmt for use within tx, or stmt itself when tx is nil. The
// statement prepared on tx's connection is reused, and released when tx
// ends.
func inTx(ctx context.Context, tx *sql.Tx, stmt *sql.Stmt) *sql.Stmt {
	if tx == nil {
		return stmt
	}
	return tx.StmtContext(ctx, stmt)
}

func firstLine(query string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(query), "\n")
	return line
}

// Close releases the server's prepared statements. Call it once Run,
// Flush and the handler are done, before closing the database.
func (s *Server) Close() error {
	if err := s.stmts.close(); err != nil {
		return fmt.Errorf("crm server: close statements: %w", err)
	}
	return nil
}
