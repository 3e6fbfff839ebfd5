package workflows

import (
	"github.com/halcytone/contentgen/content"
	"github.com/halcytone/contentgen/platform"
)

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
