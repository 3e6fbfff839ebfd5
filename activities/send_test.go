package activities_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/fakes"
)

func recipients(n int) []crm.Recipient {
	rs := make([]crm.Recipient, n)
	for i := range rs {
		rs[i] = crm.Recipient{ID: fmt.Sprint(i), Email: fmt.Sprintf("r%03d@example.com", i), Name: fmt.Sprintf("Reader %d", i)}
		if i%3 == 0 {
			rs[i].Segments = []string{"beta"}
		}
	}
	return rs
}

func sendInput() activitytypes.SendInput {
	return activitytypes.SendInput{
		NewsletterID:     "newsletter-2026-W48",
		TargetedSegments: []string{"beta"},
		Variants: []crm.Variant{
			{ID: "default", Subject: "Weekly", HTML: "<p>Hi {{first_name}}</p>", Text: "Hi {{first_name}}"},
			{ID: "seg-beta", Subject: "Weekly", HTML: "<p>Hi {{first_name}}, beta</p>", Text: "Hi {{first_name}}, beta"},
		},
	}
}

func runSend(t *testing.T, acts *activities.Activities, in activitytypes.SendInput, resume *activitytypes.SendProgress) activitytypes.SendResult {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	if resume != nil {
		env.SetHeartbeatDetails(*resume)
	}
	v, err := env.ExecuteActivity(acts.SendNewsletter, in)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var res activitytypes.SendResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSendBatchesByVariantAndCountsEveryone(t *testing.T) {
	fake := fakes.NewCRM(recipients(95)...)
	acts := &activities.Activities{CRM: fake, Send: activities.SendOptions{PageSize: 10, Window: 3}}
	res := runSend(t, acts, sendInput(), nil)
	if res.Accepted != 95 || res.Pages != 10 || !res.Done || res.Total != 95 || res.Remaining() != 0 {
		t.Fatalf("result %+v, want 95 accepted over 10 pages", res)
	}
	keys := map[string]bool{}
	for i, req := range fake.Requests {
		keys[fake.Keys[i]] = true
		for _, m := range req.Messages {
			want := "default"
			if m.Merge["email"] == "" {
				t.Errorf("message to %s has no merge values", m.To)
			}
			var n int
			fmt.Sscanf(m.To, "r%03d@example.com", &n)
			if n%3 == 0 {
				want = "seg-beta"
			}
			if m.Variant != want {
				t.Errorf("%s got variant %s, want %s", m.To, m.Variant, want)
			}
		}
		if len(req.Variants) > 2 {
			t.Errorf("batch carries %d variants", len(req.Variants))
		}
	}
	if len(keys) != 10 {
		t.Errorf("%d distinct idempotency keys for 10 pages", len(keys))
	}
}

func TestSendResumesFromHeartbeatCursor(t *testing.T) {
	fake := fakes.NewCRM(recipients(50)...)
	acts := &activities.Activities{CRM: fake, Send: activities.SendOptions{PageSize: 10, Window: 2}}
	// A previous attempt acknowledged the first three pages.
	resume := &activitytypes.SendProgress{Cursor: "30", Pages: 3, Accepted: 30, Total: 50}
	res := runSend(t, acts, sendInput(), resume)
	if res.Accepted != 50 || res.Pages != 5 {
		t.Fatalf("result %+v, want the 30 acknowledged plus 20 more", res)
	}
	delivered := fake.Delivered("newsletter-2026-W48")
	if len(delivered) != 20 {
		t.Errorf("resumed attempt sent to %d addresses, want the 20 after the cursor", len(delivered))
	}
	if _, ok := delivered["r029@example.com"]; ok {
		t.Error("an acknowledged page was sent again")
	}
}

func TestSendWaitsOutRateLimitForTheWholeWindow(t *testing.T) {
	t.Parallel()
	fake := fakes.NewCRM(recipients(40)...)
	limited := 0
	fake.Fail = func(call int, req crm.NewsletterRequest) error {
		if call == 2 {
			limited++
			return &httpapi.StatusError{Op: "crm send batch", StatusCode: http.StatusTooManyRequests, RetryAfter: time.Second}
		}
		return nil
	}
	acts := &activities.Activities{CRM: fake, Send: activities.SendOptions{PageSize: 10, Window: 4}}
	start := time.Now()
	res := runSend(t, acts, sendInput(), nil)
	if res.Accepted != 40 || limited != 1 {
		t.Fatalf("result %+v after %d rate limits", res, limited)
	}
	if time.Since(start) < time.Second {
		t.Errorf("send took %s, want at least the 1s Retry-After", time.Since(start))
	}
	for addr, n := range fake.Delivered("newsletter-2026-W48") {
		if n != 1 {
			t.Errorf("%s delivered %d times", addr, n)
		}
	}
}

func TestSendClientErrorIsNotRetried(t *testing.T) {
	fake := fakes.NewCRM(recipients(5)...)
	fake.Fail = func(int, crm.NewsletterRequest) error {
		return &httpapi.StatusError{Op: "crm send batch", StatusCode: http.StatusUnauthorized}
	}
	acts := &activities.Activities{CRM: fake}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	_, err := env.ExecuteActivity(acts.SendNewsletter, sendInput())
	if err == nil {
		t.Fatal("send succeeded, want a non-retryable error")
	}
	if want := "check the API key"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}
