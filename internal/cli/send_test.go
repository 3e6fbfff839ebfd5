package cli

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/approvals"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/workflows"
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
		{[]string{"send", "cancel", "--by", "ops@example.com"}, "give --token"},
		{[]string{"send", "cancel", "--by", "ops@example.com", "--token", "v1.t", "--mint"}, "give --token"},
		{[]string{"test-send", "--edition", "2026-W48"}, "--to is required"},
		{[]string{"start", "--source", "markdown:x.md", "--approvers", "a@example.com", "--window", "daily"}, "--window needs --send-at"},
		{[]string{"start", "--source", "markdown:x.md", "--approvers", "a@example.com", "--tz-windows"}, "--tz-windows needs --send-at"},
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

// An operator's --mint on send signs a send-control token for the action,
// which an approved run (no approval deadline any more) still accepts.
func TestSendMintSignsASendControlToken(t *testing.T) {
	spec, err := token.NewKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.ParseKeys(spec)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeClient{query: map[string]any{workflows.QueryStatus: workflows.Status{
		Stage: workflows.StageSending, Edition: "2026-W48", RunID: "run-9", ContentRevision: "rev-3",
	}}}
	e, stdout, _ := testEnv(f, map[string]string{"APPROVAL_SIGNING_KEYS": spec})
	before := time.Now()
	if err := Run(context.Background(), e, []string{"send", "pause", "--edition", "2026-W48", "--by", " Ops@Example.com", "--mint", "--signal", "--reason", "typo"}); err != nil {
		t.Fatal(err)
	}
	if len(f.signals) != 1 || f.signals[0].name != workflows.UpdatePauseSend {
		t.Fatalf("signals = %+v, want one %s", f.signals, workflows.UpdatePauseSend)
	}
	sig := f.signals[0].arg.(workflows.SendControlSignal)
	if sig.By != "ops@example.com" || sig.Reason != "typo" {
		t.Errorf("signal = %+v, want by ops@example.com, reason typo", sig)
	}
	c, _, err := keys.Verify(sig.Token, time.Now())
	if err != nil {
		t.Fatalf("minted token does not verify: %v", err)
	}
	if c.Action != token.ActionPauseSend || c.Approver != "ops@example.com" || c.RunID != "run-9" || c.Revision != "rev-3" || !c.Operator {
		t.Errorf("claims = %+v, want an operator's pause_send for ops@example.com on run-9 rev-3", c)
	}
	if exp := c.ExpiresAt(); exp.Before(before.Add(approvals.SendControlExpiry-time.Minute)) || exp.After(time.Now().Add(approvals.SendControlExpiry)) {
		t.Errorf("token expires at %s, want about %s from now", exp, approvals.SendControlExpiry)
	}
	if !strings.Contains(stdout.String(), "pause_send signal sent to newsletter-2026-W48") {
		t.Errorf("stdout = %q", stdout)
	}
}

// Status lists each time-zone group and who goes at the edition's own
// send time for lack of a valid zone.
func TestStatusShowsTimezoneGroups(t *testing.T) {
	var b bytes.Buffer
	printDelivery(&b, &workflows.DeliveryStatus{Summary: "sending by time zone: 1 of 2 groups sent, next America/New_York at 2026-12-07 14:00 UTC waiting",
		Groups:     []workflows.SendGroupStatus{{Summary: "Europe/London 09:00 sent 120"}, {Summary: "America/New_York at 2026-12-07 14:00 UTC waiting"}},
		NoTimezone: 3, InvalidTimezones: []crm.TimezoneCount{{Timezone: "Mars/Olympus", Count: 2}}})
	for _, want := range []string{"time-zone groups (2):\n  Europe/London 09:00 sent 120\n  America/New_York at 2026-12-07 14:00 UTC waiting\n",
		"3 recipients without a time zone", `2 recipients with invalid time zone "Mars/Olympus"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}
