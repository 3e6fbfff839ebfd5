package server

import (
	"net/http"

	"github.com/halcytone/contentgen/httpapi"
)

// guard wraps an /api/ handler: the API key is checked first, then, when
// signing secrets are configured, the request signature. Either refusal is
// a 401 written before the handler runs, so nothing is stored.
func (s *Server) guard(next http.Handler) http.Handler {
	return s.guardBody(next, s.cfg.MaxBodyBytes)
}

// guardBody is guard for a handler whose bodies may reach maxBody.
func (s *Server) guardBody(next http.Handler, maxBody int64) http.Handler {
	if sigs := httpapi.NewSignatures(s.cfg.SigningSecrets...); sigs.Len() > 0 {
		next = sigs.Require(next, maxBody)
	}
	return s.cfg.Keys.RequireKey(next)
}
