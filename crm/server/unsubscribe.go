package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"

	"github.com/halcytone/contentgen/crm"
)

var unsubscribePages = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p>
{{if .Form}}<form method="post" action="{{.Action}}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>{{end}}
</body></html>
`))

type unsubscribePage struct {
	Title, Message, Action string
	Form                   bool
}

func (s *Server) renderPage(w http.ResponseWriter, status int, p unsubscribePage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := unsubscribePages.Execute(w, p); err != nil {
		s.log.Error("render unsubscribe page", "err", err)
	}
}

var notFoundPage = unsubscribePage{Title: "Link not recognised",
	Message: "This unsubscribe link is not valid. Use the link from the newsletter email you received."}

// handleUnsubscribePage asks for confirmation: a GET must not unsubscribe,
// because mail scanners follow links.
func (s *Server) handleUnsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	email, subscribed, err := s.contactByToken(r.Context(), token)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s.renderPage(w, http.StatusNotFound, notFoundPage)
	case err != nil:
		s.log.Error("unsubscribe page", "err", err)
		http.Error(w, "Something went wrong; please try again later.", http.StatusInternalServerError)
	case !subscribed:
		s.renderPage(w, http.StatusOK, unsubscribePage{Title: "Already unsubscribed",
			Message: email + " no longer receives the newsletter."})
	default:
		s.renderPage(w, http.StatusOK, unsubscribePage{Title: "Unsubscribe",
			Message: "Stop sending the newsletter to " + email + "?",
			Action:  crm.PathUnsubscribe + "?token=" + template.URLQueryEscaper(token), Form: true})
	}
}

// handleUnsubscribe is the RFC 8058 one-click endpoint (mailbox providers
// POST "List-Unsubscribe=One-Click") and the confirmation form's target.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, 64<<10))
	email, err := s.Unsubscribe(r.Context(), r.URL.Query().Get("token"))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s.renderPage(w, http.StatusNotFound, notFoundPage)
	case err != nil:
		s.log.Error("unsubscribe", "err", err)
		http.Error(w, "Something went wrong; please try again later.", http.StatusInternalServerError)
	default:
		s.renderPage(w, http.StatusOK, unsubscribePage{Title: "Unsubscribed",
			Message: email + " will receive no more newsletters."})
	}
}

func (s *Server) contactByToken(ctx context.Context, token string) (string, bool, error) {
	if token == "" {
		return "", false, sql.ErrNoRows
	}
	var email string
	var subscribed bool
	err := s.db.QueryRowContext(ctx, `SELECT email, subscribed FROM contacts WHERE unsubscribe_token = $1`, token).Scan(&email, &subscribed)
	return email, subscribed, err
}

// Unsubscribe marks the contact holding token unsubscribed and returns its
// address; an unknown token gives sql.ErrNoRows. Repeating it is harmless.
func (s *Server) Unsubscribe(ctx context.Context, token string) (string, error) {
	email, subscribed, err := s.contactByToken(ctx, token)
	if err != nil || !subscribed {
		return email, err
	}
	now := nowMillis()
	_, err = s.db.ExecContext(ctx, `UPDATE contacts SET subscribed = $1, unsubscribed_at = $2, updated_at = $3
		WHERE unsubscribe_token = $4`, false, now, now, token)
	if err != nil {
		return "", fmt.Errorf("unsubscribe %s: %w", email, err)
	}
	newsletter := s.lastNewsletter(ctx, token)
	s.metrics.Unsubscribe(newsletter)
	s.log.InfoContext(ctx, "contact unsubscribed", "email", email, "newsletterId", newsletter)
	return email, nil
}

// lastNewsletter is the newsletter last sent to the contact holding
// token, which an unsubscribe is counted against; "" when none was.
func (s *Server) lastNewsletter(ctx context.Context, token string) string {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT d.newsletter_id FROM deliveries d JOIN contacts c ON c.id = d.contact_id
		WHERE c.unsubscribe_token = $1 AND d.sent_at IS NOT NULL ORDER BY d.sent_at DESC, d.id DESC LIMIT 1`, token).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		s.log.WarnContext(ctx, "find the newsletter an unsubscribe answers", "err", err)
	}
	return id
}
