package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "text/csv" {
		httpapi.WriteError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type",
			"send the contacts as Content-Type: text/csv, not %q", r.Header.Get("Content-Type"))
		return
	}
	body, ok := httpapi.ReadBody(w, r, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	res, err := s.ImportContacts(r.Context(), bytes.NewReader(body))
	switch {
	case errors.Is(err, ErrBadCSV):
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_csv", "", "%v", err)
	case err != nil:
		s.serverError(w, r, "import contacts", err)
	default:
		httpapi.WriteJSON(w, http.StatusOK, res)
	}
}

// ImportContacts upserts the contacts of a CSV (header row
// "email,name,segments,…"; further columns are attributes; segments are
// separated by ';' or '|'). Rows are matched by email; a re-import updates
// name, segments and attributes but never resubscribes anyone. Bad rows
// are skipped and listed in the result; a bad header fails the import with
// an error wrapping ErrBadCSV.
func (s *Server) ImportContacts(ctx context.Context, r io.Reader) (crm.ImportResult, error) {
	var res crm.ImportResult
	rows, errs, err := readContacts(r)
	if err != nil {
		return res, err
	}
	res.Skipped = len(errs)
	if len(errs) > maxImportErrors {
		errs = append(errs[:maxImportErrors], fmt.Sprintf("… and %d more errors", len(errs)-maxImportErrors))
	}
	res.Errors = errs
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("import contacts: %w", err)
	}
	defer tx.Rollback()
	now := nowMillis()
	for _, row := range rows {
		created, err := upsertContact(ctx, tx, row, now)
		if err != nil {
			return crm.ImportResult{}, fmt.Errorf("import contacts: line %d: %w", row.line, err)
		}
		if created {
			res.Imported++
		} else {
			res.Updated++
		}
	}
	if err := tx.Commit(); err != nil {
		return crm.ImportResult{}, fmt.Errorf("import contacts: commit: %w", err)
	}
	s.log.InfoContext(ctx, "contacts imported", "imported", res.Imported, "updated", res.Updated, "skipped", res.Skipped)
	return res, nil
}

func upsertContact(ctx context.Context, tx *sql.Tx, row contactRow, now int64) (bool, error) {
	segs, _ := json.Marshal(row.segments)
	attrs := encodeFlat(row.attributes)
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM contacts WHERE email = $1`, row.email).Scan(&id)
	created := errors.Is(err, sql.ErrNoRows)
	switch {
	case created:
		err = tx.QueryRowContext(ctx, `INSERT INTO contacts (email, name, segments, attributes, subscribed, unsubscribe_token, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			row.email, row.name, string(segs), attrs, true, newToken(), now, now).Scan(&id)
	case err == nil:
		_, err = tx.ExecContext(ctx, `UPDATE contacts SET name = $1, segments = $2, attributes = $3, updated_at = $4 WHERE id = $5`,
			row.name, string(segs), attrs, now, id)
	}
	if err != nil {
		return false, fmt.Errorf("save %s: %w", row.email, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_segments WHERE contact_id = $1`, id); err != nil {
		return false, fmt.Errorf("save segments of %s: %w", row.email, err)
	}
	for _, seg := range row.segments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_segments (segment, contact_id) VALUES ($1, $2)`, seg, id); err != nil {
			return false, fmt.Errorf("save segments of %s: %w", row.email, err)
		}
	}
	return created, nil
}

// newToken returns an unguessable unsubscribe token.
func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}
