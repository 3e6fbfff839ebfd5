package server

import (
	"net/http"

	"github.com/halcytone/contentgen/httpapi"
)

// guard wraps an /api/ handler: the API key is checked first, then, when
// signing secrets are configured, the request signature. Either refusal is
// a 401 written before the handler runs, so nothing is stored.
func (s *Server) guard(next http.Handler) http.Handler {
	if sigs := httpapi.NewSignatures(s.cfg.SigningSecrets...); sigs.Len() > 0 {
		next = sigs.Require(next, s.cfg.MaxBodyBytes)
	}
	return s.cfg.Keys.RequireKey(next)
}
