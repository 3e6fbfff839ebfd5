package service

import (
	"fmt"
	"strings"
)

// Placeholder marks the example secrets in deploy/stack.env.example and
// the documentation; a service refuses to start with one.
const Placeholder = "change-me"

// RefusePlaceholders fails when any of the named variables holds a value
// containing Placeholder, naming the variable and how to fix it, so a
// stack started from the example settings stops at once instead of
// running with keys everyone knows.
func (g Getenv) RefusePlaceholders(names ...string) error {
	var bad []string
	for _, n := range names {
		if strings.Contains(strings.ToLower(g(n)), Placeholder) {
			bad = append(bad, n)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%s still hold%s the placeholder %q: replace each with a real secret before starting (see deploy/stack.env.example; e.g. openssl rand -hex 32, codec-server -new-key for NEWSLETTER_CODEC_KEYS, approvals new-key for APPROVAL_SIGNING_KEYS)",
		strings.Join(bad, ", "), map[bool]string{true: "s", false: ""}[len(bad) == 1], Placeholder)
}
