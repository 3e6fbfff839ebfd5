package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
)

// Bad send-control, test-send and send-time flags are refused before
// Temporal is dialled, saying what to write.
func TestSendFlagsAreCheckedFirst(t *testing.T) {
	env := func() *Env {
		return &Env{Lookup: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{},
			Dial: func(context.Context) (client.Client, error) { return nil, errors.New("must not dial") }}
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"send"}, "pause, resume or cancel"},
		{[]string{"send", "stop"}, "pause, resume or cancel"},
		{[]string{"send", "pause", "--edition", "2026-W48"}, "--by is required"},
		{[]string{"send", "cancel", "--by", "ops@example.com"}, "--token or"},
		{[]string{"test-send", "--edition", "2026-W48"}, "--to is required"},
		{[]string{"start", "--source", "markdown:x.md", "--approvers", "a@example.com", "--window", "daily"}, "--window needs --send-at"},
		{[]string{"start", "--source", "markdown:x.md", "--approvers", "a@example.com", "--send-at", "Someday 09:00"}, "not a weekday"},
		{[]string{"start", "--source", "markdown:x.md", "--approvers", "a@example.com", "--send-at", "Monday 09:00", "--window", "hourly"}, "use daily or weekly"},
	}
	for _, c := range cases {
		err := Run(context.Background(), env(), c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("starter %s: %v, want an error saying %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}
