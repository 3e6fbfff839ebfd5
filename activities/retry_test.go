package activities_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/fakes"
)

// flakyCRM fails chosen calls in front of a fake CRM. A send failing with
// lostReply reaches the CRM first, as when a reply is lost on the way back.
type flakyCRM struct {
	*fakes.CRM
	mu        sync.Mutex
	reads     int
	sends     int
	failRead  func(call int) error
	failSend  func(call int) error
	lostReply func(call int) bool
}

var errReset = errors.New("read tcp 127.0.0.1:50000->127.0.0.1:8081: read: connection reset by peer")

func (f *flakyCRM) Recipients(ctx context.Context, segments []string, cursor string, limit int) (crm.RecipientsPage, error) {
	f.mu.Lock()
	f.reads++
	n := f.reads
	f.mu.Unlock()
	if f.failRead != nil {
		if err := f.failRead(n); err != nil {
			return crm.RecipientsPage{}, err
		}
	}
	return f.CRM.Recipients(ctx, segments, cursor, limit)
}

func (f *flakyCRM) SendNewsletter(ctx context.Context, key string, req crm.NewsletterRequest) (crm.NewsletterResponse, error) {
	f.mu.Lock()
	f.sends++
	n := f.sends
	f.mu.Unlock()
	if f.failSend != nil {
		if err := f.failSend(n); err != nil {
			return crm.NewsletterResponse{}, err
		}
	}
	resp, err := f.CRM.SendNewsletter(ctx, key, req)
	if err == nil && f.lostReply != nil && f.lostReply(n) {
		return crm.NewsletterResponse{}, errReset
	}
	return resp, err
}

func statusErr(code int) error {
	return &httpapi.StatusError{Op: "crm send newsletter", StatusCode: code}
}

// Transient failures of single requests are retried in place, so one
// attempt completes and every recipient is counted once.
func TestSendRetriesTransientFailuresInPlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failRead  func(int) error
		failSend  func(int) error
		lostReply func(int) bool
	}{
		{"server errors", nil, func(n int) error {
			switch n {
			case 2, 3:
				return statusErr(http.StatusInternalServerError)
			case 5:
				return statusErr(http.StatusServiceUnavailable)
			}
			return nil
		}, nil},
		{"request still in flight", nil, func(n int) error {
			if n == 1 {
				return &httpapi.StatusError{Op: "crm send newsletter", StatusCode: http.StatusConflict, RetryAfter: 10 * time.Millisecond}
			}
			return nil
		}, nil},
		{"connection reset before the CRM saw it", nil, func(n int) error {
			if n%2 == 0 {
				return errReset
			}
			return nil
		}, nil},
		{"reply lost after the CRM applied it", nil, nil, func(n int) bool { return n == 1 || n == 4 }},
		{"recipients read fails", func(n int) error {
			if n == 2 || n == 3 {
				return errReset
			}
			return nil
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &flakyCRM{CRM: fakes.NewCRM(recipients(40)...), failRead: tt.failRead, failSend: tt.failSend, lostReply: tt.lostReply}
			acts := &activities.Activities{CRM: fake, Send: activities.SendOptions{PageSize: 10, Window: 2}}
			res := runSend(t, acts, sendInput(), nil)
			if res.Accepted != 40 || res.Duplicate != 0 || res.Pages != 4 || !res.Done {
				t.Errorf("result %+v, want 40 accepted once over 4 pages in one attempt", res)
			}
			delivered := fake.Delivered("newsletter-2026-W48")
			if len(delivered) != 40 {
				t.Errorf("delivered to %d addresses, want 40", len(delivered))
			}
			for addr, n := range delivered {
				if n != 1 {
					t.Errorf("%s reached the CRM %d times", addr, n)
				}
			}
		})
	}
}

// A request that keeps failing ends the attempt with a retryable error
// after a bounded number of tries; the activity's retry policy goes on.
func TestSendGivesUpOnPersistentFailure(t *testing.T) {
	t.Parallel()
	fake := &flakyCRM{CRM: fakes.NewCRM(recipients(10)...), failSend: func(int) error { return statusErr(http.StatusBadGateway) }}
	acts := &activities.Activities{CRM: fake, Send: activities.SendOptions{PageSize: 10, Window: 1}}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	_, err := env.ExecuteActivity(acts.SendNewsletter, sendInput())
	if err == nil {
		t.Fatal("send succeeded against a CRM that always fails")
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		t.Errorf("error %v is non-retryable; a 502 must leave the retry policy to try again", err)
	}
	if fake.sends < 2 || fake.sends > 10 {
		t.Errorf("the page was tried %d times, want a few tries and then give up", fake.sends)
	}
}
