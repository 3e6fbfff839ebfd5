package workflows

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/platform"
)

// a names the activities for env.OnActivity; the workflows call them by
// their registered names (activitytypes).
var a *activities.Activities

func platformUpdate(ed string, p content.Parsed) platform.Update {
	return platform.Update{ID: 1, Slug: "prev-" + ed, Edition: ed, Sections: p.Prints()}
}

// updateCallbacks adapts functions to the test environment's update callbacks.
type updateCallbacks struct {
	reject   func(error)
	complete func(any, error)
}

func (c *updateCallbacks) Accept() {}
func (c *updateCallbacks) Reject(err error) {
	if c.reject != nil {
		c.reject(err)
	}
}
func (c *updateCallbacks) Complete(v any, err error) {
	if c.complete != nil {
		c.complete(v, err)
	}
}

// testSigningKey is the workers' APPROVAL_SIGNING_KEYS in these tests.
const testSigningKey = "test:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

var tokenInCommand = map[string]*regexp.Regexp{}

// proofToken finds the approver's token for action in the newest proof
// the CRM received, as the approver would copy it from the email.
func (h *harness) proofToken(by, action string) string {
	re, ok := tokenInCommand[action]
	if !ok {
		re = regexp.MustCompile(`--name ` + action + ` --input '\{[^']*"token":"([^"]+)"`)
		tokenInCommand[action] = re
	}
	by = strings.ToLower(by)
	for i := len(h.crm.Requests) - 1; i >= 0; i-- {
		for _, m := range h.crm.Requests[i].Messages {
			if strings.ToLower(m.To) != by {
				continue
			}
			// A signed proof names a shared variant and carries the
			// approver's commands as merge values.
			for _, text := range append([]string{m.Text}, slices.Collect(maps.Values(m.Merge))...) {
				if sub := re.FindStringSubmatch(text); sub != nil {
					return sub[1]
				}
			}
		}
	}
	return ""
}

// signedAt sends a decision signal after d carrying the token the
// approver got in the newest proof.
func (h *harness) signedAt(d time.Duration, name string, arg any) {
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(name, h.withToken(name, arg)) }, d)
}

func (h *harness) withToken(action string, arg any) any {
	switch s := arg.(type) {
	case ApproveSignal:
		s.Token = h.proofToken(s.By, action)
		return s
	case RejectSignal:
		s.Token = h.proofToken(s.By, action)
		return s
	case RequestChangesSignal:
		s.Token = h.proofToken(s.By, action)
		return s
	}
	return arg
}
