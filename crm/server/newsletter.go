package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 255

// handleNewsletter accepts one batch of messages. Every refusal (400, 409,
// 413, 422, 429) happens before anything is written; the deliveries, the
// variants and the stored reply are then written in one transaction.
func (s *Server) handleNewsletter(w http.ResponseWriter, r *http.Request) {
	if !s.allowRequest(w) {
		return
	}
	key := strings.TrimSpace(r.Header.Get(httpapi.HeaderIdempotencyKey))
	if key == "" || len(key) > maxIdempotencyKey {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_idempotency_key", httpapi.HeaderIdempotencyKey,
			"send an Idempotency-Key header of 1 to %d characters, stable across retries of this batch", maxIdempotencyKey)
		return
	}
	if !s.takeBatchPlace(w, r) {
		return
	}
	defer func() {
		s.lastQueued.Store(time.Now().UnixNano())
		<-s.batches
	}()
	body, ok := httpapi.ReadBody(w, r, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	var req crm.NewsletterRequest
	if detail := decodeNewsletterRequest(body, &req); detail != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *detail})
		return
	}
	var uploaded map[string]string
	if needsUploaded(&req) {
		var err error
		if uploaded, _, err = s.uploadedVariants(r.Context(), req.NewsletterID); err != nil {
			s.serverError(w, r, "read newsletter content", err)
			return
		}
	}
	if detail := validateNewsletter(&req, uploaded); detail != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *detail})
		return
	}
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	prior, err := s.claimKey(r.Context(), key, digest)
	if err != nil {
		s.serverError(w, r, "claim idempotency key", err)
		return
	}
	if prior.done(w) {
		return
	}
	status, reply, err := s.enqueue(r.Context(), key, &req, uploaded)
	if err != nil {
		s.releaseKey(r.Context(), key)
		s.serverError(w, r, "queue newsletter", err)
		return
	}
	s.notify()
	writeRaw(w, status, reply)
}

// takeBatchPlace waits for one of the MaxBatches places, so the CRM's
// memory grows with the batches in hand rather than with the clients
// sending: the others wait here with their bodies unread. It is false when
// the client went away meanwhile.
func (s *Server) takeBatchPlace(w http.ResponseWriter, r *http.Request) bool {
	select {
	case s.batches <- struct{}{}:
		return true
	default:
	}
	select {
	case s.batches <- struct{}{}:
	case <-r.Context().Done():
		return false
	}
	// The server's read timeout ran while this request waited; its body
	// gets the whole of it from now on.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(httpapi.DefaultTimeouts.Read))
	return true
}

// writeRaw writes a stored JSON reply byte for byte.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
