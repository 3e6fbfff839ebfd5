package activities_test

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/internal/fakes"
)

// A CRM client that cannot read recipients by time zone is refused with a
// stable, non-retryable type, before anything is sent.
func TestTimezonesNeedACapableCRM(t *testing.T) {
	a := &activities.Activities{CRM: fakes.NewCRM()}
	_, err := a.ListSendGroups(context.Background(), activitytypes.SendGroupsInput{NewsletterID: "n", Local: "2026-12-07T09:00:00"})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activitytypes.ErrTypeNoTimezones || !appErr.NonRetryable() {
		t.Fatalf("err = %v, want non-retryable %s", err, activitytypes.ErrTypeNoTimezones)
	}
}
