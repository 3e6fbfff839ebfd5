package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/platform"
)

// Page sizes of GET /api/v1/updates.
const (
	DefaultListLimit = 20
	MaxListLimit     = 100
)

// MaxIdempotencyKeyLen bounds the Idempotency-Key header.
const MaxIdempotencyKeyLen = 255

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(httpapi.HeaderIdempotencyKey)
	if len(key) > MaxIdempotencyKeyLen {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_header", httpapi.HeaderIdempotencyKey,
			"Idempotency-Key is longer than %d characters", MaxIdempotencyKeyLen)
		return
	}
	body, ok := httpapi.ReadBody(w, r, s.cfg.MaxBodyBytes)
	if !ok {
		return
	}
	var req platform.UpdateRequest
	if d := httpapi.DecodeStrict(body, &req); d != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *d})
		return
	}
	if d := validate(&req); d != nil {
		httpapi.WriteJSON(w, http.StatusBadRequest, httpapi.ErrorBody{Error: *d})
		return
	}
	req.BodyHTML = s.sanitizeBody(req.BodyHTML)
	res, err := s.create(r.Context(), key, &req)
	switch {
	case errors.Is(err, errSlugConflict):
		httpapi.WriteError(w, http.StatusConflict, platform.CodeSlugConflict, "slug",
			"update %q is already published with different content; published updates do not change, so publish under a new slug", req.Slug)
	case errors.Is(err, errKeyReused):
		httpapi.WriteError(w, http.StatusUnprocessableEntity, platform.CodeIdempotencyKeyReuse, httpapi.HeaderIdempotencyKey,
			"this Idempotency-Key was used for a different request body; use a new key for a new update")
	case err != nil:
		s.log.ErrorContext(r.Context(), "publish update", "slug", req.Slug, "err", err)
		httpapi.WriteError(w, http.StatusInternalServerError, "internal", "", "could not store the update; try again")
	default:
		if res.code == http.StatusCreated {
			w.Header().Set("Location", res.reply.URL)
		}
		if res.code == http.StatusCreated && !res.replayed {
			s.log.InfoContext(r.Context(), "update published", "slug", req.Slug, "id", res.reply.ID, "edition", req.Edition,
				"correlationId", r.Header.Get(httpapi.HeaderCorrelationID))
		}
		httpapi.WriteJSON(w, res.code, res.reply)
	}
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	limit, ok := queryInt(w, r, "limit", DefaultListLimit, 1, MaxListLimit)
	if !ok {
		return
	}
	before, ok := queryInt(w, r, "before", 0, 1, 1<<62)
	if !ok {
		return
	}
	updates, err := s.listUpdates(r.Context(), int64(before), limit)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if !s.keyed(r) {
		for i := range updates {
			updates[i].Sections = nil
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, platform.UpdateList{Updates: updates})
}

// keyed reports whether r carries an accepted API key. Section prints go
// only to such readers: they hold the text of every section, those for
// some segments only included, and the public reads updates without a key.
func (s *Server) keyed(r *http.Request) bool {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && s.cfg.Keys.Valid(strings.TrimSpace(key))
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	u, found, err := s.getUpdate(r.Context(), slug)
	switch {
	case err != nil:
		s.internalError(w, r, err)
	case !found:
		httpapi.WriteError(w, http.StatusNotFound, platform.CodeNotFound, "", "no update with slug %q", slug)
	default:
		if !s.keyed(r) {
			u.Sections = nil
		}
		httpapi.WriteJSON(w, http.StatusOK, u)
	}
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	resp, err := s.stats(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, resp)
}

func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	httpapi.WriteError(w, http.StatusInternalServerError, "internal", "", "internal error; try again")
}

// queryInt reads an optional integer parameter within [lo, hi]; a bad value
// gets a 400 naming it.
func queryInt(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_parameter", name, "%s must be a whole number from %d to %d", name, lo, hi)
		return 0, false
	}
	return n, true
}
