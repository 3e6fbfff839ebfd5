package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// DefaultMaxContentBytes bounds a content upload when
// Config.MaxContentBytes is 0: every variant of an edition in one body.
const DefaultMaxContentBytes = 256 << 20

// handleContent stores a newsletter's variants once. It is idempotent by
// digest: the same digest is accepted again (200); another digest replaces
// the content until the first delivery is queued, and is refused with 409
// content_locked after.
func (s *Server) handleContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("newsletter_id")
	if d := checkID("newsletter_id", id, maxNewsletterID); d != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *d})
		return
	}
	body, ok := httpapi.ReadBody(w, r, s.cfg.MaxContentBytes)
	if !ok {
		return
	}
	var req crm.ContentRequest
	if detail := httpapi.DecodeStrict(body, &req); detail != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *detail})
		return
	}
	if len(req.Variants) == 0 {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *invalid("variants", "at least one variant is required")})
		return
	}
	if _, d := validateVariants(req.Variants); d != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *d})
		return
	}
	if want := crm.ContentDigest(req.Variants); req.Digest != want {
		httpapi.WriteError(w, http.StatusBadRequest, crm.CodeDigestMismatch, "digest",
			"digest %q is not the SHA-256 of the variants (%s); compute it with crm.ContentDigest over the variants as sent", req.Digest, want)
		return
	}
	status, err := s.storeContent(r.Context(), id, &req)
	var locked *lockedError
	switch {
	case errors.As(err, &locked):
		httpapi.WriteError(w, http.StatusConflict, crm.CodeContentLocked, "digest",
			"newsletter %s began sending with content %s; content %s cannot replace it, so send the new content as a new newsletter", id, locked.digest, req.Digest)
		return
	case err != nil:
		s.serverError(w, r, "store newsletter content", err)
		return
	}
	ids := make([]string, len(req.Variants))
	for i, v := range req.Variants {
		ids[i] = v.ID
	}
	s.log.InfoContext(r.Context(), "newsletter content stored", "newsletterId", id, "digest", req.Digest, "variants", len(ids), "status", status)
	httpapi.WriteJSON(w, status, crm.ContentResponse{NewsletterID: id, Digest: req.Digest, Variants: ids})
}

// handleGetContent says which content a newsletter uploaded: its digest
// and variant IDs, not the bodies.
func (s *Server) handleGetContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("newsletter_id")
	keys, digest, err := s.uploadedVariants(r.Context(), id)
	if err != nil {
		s.serverError(w, r, "read newsletter content", err)
		return
	}
	if digest == "" {
		httpapi.WriteError(w, http.StatusNotFound, "not_found", "newsletter_id", "newsletter %s has no uploaded content", id)
		return
	}
	ids := slices.Sorted(maps.Keys(keys))
	httpapi.WriteJSON(w, http.StatusOK, crm.ContentResponse{NewsletterID: id, Digest: digest, Variants: ids})
}

type lockedError struct{ digest string }

func (e *lockedError) Error() string { return "content locked at " + e.digest }

func (s *Server) storeContent(ctx context.Context, id string, req *crm.ContentRequest) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	now := nowMillis()
	if _, err := tx.ExecContext(ctx, `INSERT INTO newsletters (id, first_seen) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, now); err != nil {
		return 0, fmt.Errorf("record newsletter: %w", err)
	}
	var prior string
	err = tx.QueryRowContext(ctx, `SELECT digest FROM newsletter_content WHERE newsletter_id = $1`, id).Scan(&prior)
	switch {
	case err == nil && prior == req.Digest:
		return http.StatusOK, nil
	case err == nil:
		var queued int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE newsletter_id = $1`, id).Scan(&queued); err != nil {
			return 0, fmt.Errorf("count deliveries: %w", err)
		}
		if queued > 0 {
			return 0, &lockedError{digest: prior}
		}
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("read content: %w", err)
	}
	keys, err := s.storeVariants(ctx, tx, &crm.NewsletterRequest{NewsletterID: id, Variants: req.Variants}, now)
	if err != nil {
		return 0, err
	}
	encoded, _ := json.Marshal(keys)
	if _, err := tx.ExecContext(ctx, `INSERT INTO newsletter_content (newsletter_id, digest, variant_keys, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (newsletter_id) DO UPDATE SET digest = excluded.digest, variant_keys = excluded.variant_keys, created_at = excluded.created_at`,
		id, req.Digest, string(encoded), now); err != nil {
		return 0, fmt.Errorf("record content: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	if prior != "" {
		return http.StatusOK, nil
	}
	return http.StatusCreated, nil
}

// uploadedVariants returns the variant keys of a newsletter's uploaded
// content by variant ID, and its digest; none when nothing was uploaded.
func (s *Server) uploadedVariants(ctx context.Context, newsletterID string) (map[string]string, string, error) {
	var digest, encoded string
	err := s.db.QueryRowContext(ctx, `SELECT digest, variant_keys FROM newsletter_content WHERE newsletter_id = $1`, newsletterID).Scan(&digest, &encoded)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read content of %s: %w", newsletterID, err)
	}
	keys := map[string]string{}
	if err := json.Unmarshal([]byte(encoded), &keys); err != nil {
		return nil, "", fmt.Errorf("content of %s: %w", newsletterID, err)
	}
	return keys, digest, nil
}

// needsUploaded reports whether a message names a variant its request
// does not carry.
func needsUploaded(req *crm.NewsletterRequest) bool {
	for _, m := range req.Messages {
		if m.Variant != "" && !slices.ContainsFunc(req.Variants, func(v crm.Variant) bool { return v.ID == m.Variant }) {
			return true
		}
	}
	return false
}
