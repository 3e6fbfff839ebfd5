package activities_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/app"
	"github.com/halcytone/contentgen/internal/fakes"
)

// limitedCRM serves the CRM contract from a fake CRM over HTTP and answers
// requests number from to to (counted from 1, reads and sends alike) with
// 429: a stretch of rate limiting in the middle of a send.
type limitedCRM struct {
	*fakes.CRM
	from, to int

	mu       sync.Mutex
	requests int
	limited  int
}

func (l *limitedCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.requests++
	n := l.requests
	limit := n >= l.from && n <= l.to
	if limit {
		l.limited++
	}
	l.mu.Unlock()
	if limit {
		// Most replies carry a fractional Retry-After, some none (the loop
		// then pauses a second).
		if n%5 != 0 {
			w.Header().Set("Retry-After", "0.05")
		}
		httpapi.WriteError(w, http.StatusTooManyRequests, "rate_limited", "", "slow down")
		return
	}
	switch r.URL.Path {
	case crm.PathRecipients:
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		page, err := l.Recipients(r.Context(), r.URL.Query()["segment"], r.URL.Query().Get("cursor"), limit)
		if err != nil {
			httpapi.WriteError(w, http.StatusInternalServerError, "internal", "", "%v", err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, page)
	case crm.PathNewsletter:
		var req crm.NewsletterRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			httpapi.WriteError(w, http.StatusBadRequest, "bad_request", "", "%v", err)
			return
		}
		resp, err := l.SendNewsletter(r.Context(), r.Header.Get(httpapi.HeaderIdempotencyKey), req)
		if err != nil {
			httpapi.WriteError(w, http.StatusInternalServerError, "internal", "", "%v", err)
			return
		}
		httpapi.WriteJSON(w, http.StatusAccepted, resp)
	default:
		http.NotFound(w, r)
	}
}

// A run of 429s, far more than the circuit breaker's threshold, on reads
// and sends alike, slows the send down but never fails the attempt: the
// worker's own CRM client (breaker included) sees back-pressure, not a
// failing service.
func TestSendWaitsOutA429StretchThroughTheBreaker(t *testing.T) {
	t.Parallel()
	limited := &limitedCRM{CRM: fakes.NewCRM(recipients(200)...), from: 4, to: 15}
	srv := httptest.NewServer(limited)
	defer srv.Close()
	client := app.CRMClient(app.ServiceConfig{BaseURL: srv.URL, APIKey: "key", Timeout: 10 * time.Second}, nil, nil)
	acts := &activities.Activities{CRM: client, Send: activities.SendOptions{PageSize: 10, Window: 3}}
	res := runSend(t, acts, sendInput(), nil)
	if res.Accepted != 200 || res.Duplicate != 0 || res.Pages != 20 || !res.Done {
		t.Errorf("result %+v, want 200 accepted once over 20 pages in one attempt", res)
	}
	if limited.limited != 12 {
		t.Errorf("the CRM answered %d requests with 429, want 12", limited.limited)
	}
	delivered := limited.Delivered("newsletter-2026-W48")
	if len(delivered) != 200 {
		t.Errorf("delivered to %d addresses, want 200", len(delivered))
	}
	for addr, n := range delivered {
		if n != 1 {
			t.Errorf("%s reached the CRM %d times", addr, n)
		}
	}
}
