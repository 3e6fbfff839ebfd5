package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
)

// Handler serves the CRM contract, the delivery log, newsletter reports,
// tracked links and the open pixel, the unsubscribe pages and GET /healthz.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	auth := s.guard
	mux.Handle("GET "+crm.PathRecipients, auth(http.HandlerFunc(s.handleRecipients)))
	mux.Handle("GET "+crm.PathRecipientTimezones, auth(http.HandlerFunc(s.handleRecipientTimezones)))
	mux.Handle("POST "+crm.PathNewsletter, auth(http.HandlerFunc(s.handleNewsletter)))
	mux.Handle("GET "+crm.PathNewsletterContent, auth(http.HandlerFunc(s.handleGetContent)))
	mux.Handle("PUT "+crm.PathNewsletterContent, s.guardBody(http.HandlerFunc(s.handleContent), s.cfg.MaxContentBytes))
	mux.Handle("POST "+crm.PathContacts, auth(http.HandlerFunc(s.handleImport)))
	mux.Handle("GET "+crm.PathDeliveries, auth(http.HandlerFunc(s.handleDeliveries)))
	mux.Handle("GET "+crm.PathSender, auth(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		httpapi.WriteJSON(w, http.StatusOK, s.sender)
	})))
	mux.HandleFunc("POST "+crm.PathWebhookSES, s.handleSES)
	mux.HandleFunc("POST "+crm.PathWebhookSendGrid, s.handleSendGrid)
	mux.HandleFunc("POST "+crm.PathWebhookPostmark, s.handlePostmark)
	mux.Handle("GET "+crm.PathNewsletterReport, auth(http.HandlerFunc(s.handleReport)))
	mux.HandleFunc("GET "+PathOpen+"{token}/{sent}", s.handleOpen)
	mux.HandleFunc("GET "+crm.PathUnsubscribe, s.handleUnsubscribePage)
	mux.HandleFunc("POST "+crm.PathUnsubscribe, s.handleUnsubscribe)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := s.db.PingContext(r.Context()); err != nil {
			httpapi.WriteError(w, http.StatusServiceUnavailable, "unavailable", "", "database: %v", err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	return handler{httpapi.LogRequests(s.log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Tracked links skip the mux, whose path cleaning would answer
		// "/r/x/../y" with a redirect of its own.
		if token, ok := strings.CutPrefix(r.URL.Path, PathClick); ok {
			s.handleClick(w, r, token)
			return
		}
		mux.ServeHTTP(w, r)
	}))}
}

// handler is the CRM's handler. Readers' clicks and pixel loads are not
// traced: they come by the thousand a second, carry tokens in their paths,
// and are counted by the CRM's own metrics.
type handler struct{ http.Handler }

// Traced reports whether r gets a server span (see service.TraceFilter).
func (handler) Traced(r *http.Request) bool {
	return !strings.HasPrefix(r.URL.Path, PathClick) && !strings.HasPrefix(r.URL.Path, PathOpen)
}

// allowRequest applies the newsletter request rate; over it the reply is
// 429 with the seconds until a token is free.
func (s *Server) allowRequest(w http.ResponseWriter) bool {
	if s.reqLimit == nil {
		return true
	}
	res := s.reqLimit.Reserve()
	if res.OK() {
		delay := res.Delay()
		if delay == 0 {
			return true
		}
		res.Cancel()
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(delay.Seconds()))))
	} else {
		w.Header().Set("Retry-After", "1")
	}
	httpapi.WriteError(w, http.StatusTooManyRequests, "rate_limited", "", "more than %g newsletter requests per second; retry after the Retry-After delay", s.cfg.RequestsPerSecond)
	return false
}

// serverError logs err and writes a 500 that does not leak it.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, op string, err error) {
	s.log.ErrorContext(r.Context(), op, "err", err, "correlationId", r.Header.Get(httpapi.HeaderCorrelationID))
	httpapi.WriteError(w, http.StatusInternalServerError, "internal", "", "%s failed; the CRM logged the cause", op)
}
