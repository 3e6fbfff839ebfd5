package workflows

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"

	"github.com/halcytone/contentgen/activities"
	"github.com/halcytone/contentgen/activities/activitytypes"
	"github.com/halcytone/contentgen/approvals/token"
	"github.com/halcytone/contentgen/crm"
	"github.com/halcytone/contentgen/crm/crmclient"
	crmserver "github.com/halcytone/contentgen/crm/server"
	"github.com/halcytone/contentgen/httpapi"
	"github.com/halcytone/contentgen/internal/fakes"
	"github.com/halcytone/contentgen/internal/sqldb"
)

// Recipients in three time zones, plus some without a valid one, which
// go with London at the edition's own send time (09:00 UTC in December,
// as in Lisbon).
const tzContacts = `email,name,segments,timezone
tok1@example.com,T1,,Asia/Tokyo
tok2@example.com,T2,,Asia/Tokyo
lon1@example.com,L1,,Europe/London
lon2@example.com,L2,,Europe/London
lis@example.com,LS,,Europe/Lisbon
none@example.com,NO,,
bad@example.com,BD,,Mars/Olympus
ny1@example.com,N1,,America/New_York
ny2@example.com,N2,,America/New_York
`

// Sunday 12:00 UTC; the edition goes "Monday 09:00 Europe/London".
var tzStart = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

var (
	tokyoAt  = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	londonAt = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	nyAt     = time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
)

// tzCRM is the reference CRM (SQLite, log delivery) through its client;
// the fake records every request too, so tests find the proofs' tokens.
type tzCRM struct {
	*fakes.CRM
	ref *crmclient.Client
}

func (c tzCRM) Recipients(ctx context.Context, segments []string, cursor string, limit int) (crm.RecipientsPage, error) {
	return c.ref.Recipients(ctx, segments, cursor, limit)
}

func (c tzCRM) RecipientsIn(ctx context.Context, q crm.RecipientQuery, cursor string, limit int) (crm.RecipientsPage, error) {
	return c.ref.RecipientsIn(ctx, q, cursor, limit)
}

func (c tzCRM) RecipientTimezones(ctx context.Context, segments []string) (crm.TimezonesReply, error) {
	return c.ref.RecipientTimezones(ctx, segments)
}

func (c tzCRM) SendNewsletter(ctx context.Context, key string, req crm.NewsletterRequest) (crm.NewsletterResponse, error) {
	_, _ = c.CRM.SendNewsletter(ctx, key, req)
	return c.ref.SendNewsletter(ctx, key, req)
}

var _ activities.TimezoneCRM = tzCRM{}

type tzRig struct {
	*harness
	srv    *crmserver.Server
	client *crmclient.Client
	sends  *[]groupSend
}

type groupSend struct {
	at    time.Time
	zones []string
}

// newTZRig is the workflow test environment (time skipping) with the
// reference CRM holding tzContacts; without (a CRM that lacks the
// time-zone endpoint) answers it 404.
func newTZRig(t *testing.T, without bool) *tzRig {
	t.Helper()
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "crm.db"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := crmserver.New(crmserver.Config{DB: db, Keys: httpapi.NewKeys("k"), PublicURL: "https://crm.example.com",
		From: "Halcytone <news@example.com>", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Delivery: crmserver.DeliveryConfig{Mode: crmserver.ModeLog, PollInterval: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ImportContacts(ctx, strings.NewReader(tzContacts)); err != nil {
		t.Fatal(err)
	}
	handler := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if without && r.URL.Path == crm.PathRecipientTimezones {
			http.NotFound(w, r)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	done := make(chan struct{})
	go func() { _ = srv.Run(ctx); close(done) }()
	t.Cleanup(func() { ts.Close(); cancel(); <-done; db.Close() })
	c := crmclient.New(crmclient.Options{BaseURL: ts.URL, APIKey: "k"})
	h.acts.CRM = tzCRM{CRM: h.crm, ref: c}
	h.acts.Send.ContentMode = activities.ContentInline
	h.env.SetStartTime(tzStart)
	rig := &tzRig{harness: h, srv: srv, client: c, sends: &[]groupSend{}}
	h.env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		if info.ActivityType.Name == "SendNewsletter" {
			var in activitytypes.SendInput
			_ = args.Get(&in)
			*rig.sends = append(*rig.sends, groupSend{at: h.env.Now().UTC(), zones: in.Timezones})
		}
	})
	return rig
}

func tzInput() Input {
	in := input()
	in.ApprovalTimeout = Duration(48 * time.Hour)
	in.SendAt = "Monday 09:00 Europe/London"
	in.TZWindows = true
	return in
}

// delivered reads the reference CRM's delivery log of the edition: how
// many rows each address has.
func (r *tzRig) delivered(t *testing.T) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.srv.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	cursor := ""
	for {
		page, err := r.client.Deliveries(ctx, WorkflowID("2026-W48"), "", cursor, crm.MaxDeliveriesPage)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Deliveries {
			seen[strings.TrimSuffix(strings.ToLower(d.Address), "@example.com")]++
		}
		if cursor = page.NextCursor; cursor == "" {
			return seen
		}
	}
}

func summaries(st Status) []string {
	var out []string
	if st.Delivery != nil {
		for _, g := range st.Delivery.Groups {
			out = append(out, g.Summary)
		}
	}
	return out
}

// Recipients in three zones go in three groups, each at 09:00 in its
// zones, on durable timers; those without a valid zone go with the
// edition's own send time; everyone exactly once.
func TestTZWindowsSendEachGroupAtItsInstant(t *testing.T) {
	r := newTZRig(t, false)
	r.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	r.env.RegisterDelayedCallback(func() {
		st := r.status(t)
		want := []string{"Asia/Tokyo at 2026-12-07 00:00 UTC waiting", "Europe/Lisbon and 3 more at 2026-12-07 09:00 UTC waiting", "America/New_York at 2026-12-07 14:00 UTC waiting"}
		if got := summaries(st); !slices.Equal(got, want) || st.Stage != StageScheduled {
			t.Errorf("approved: stage %s, groups %q; want %q", st.Stage, got, want)
		}
	}, 2*time.Hour)
	r.env.RegisterDelayedCallback(func() {
		st := r.status(t)
		want := []string{"Asia/Tokyo 09:00 sent 2", "Europe/Lisbon and 3 more 09:00 sent 5", "America/New_York at 2026-12-07 14:00 UTC waiting"}
		if got := summaries(st); !slices.Equal(got, want) {
			t.Errorf("at 10:00 UTC groups %q; want %q", got, want)
		}
		if st.Delivery.NoTimezone != 1 || len(st.Delivery.InvalidTimezones) != 1 || st.Delivery.InvalidTimezones[0] != (crm.TimezoneCount{Timezone: "Mars/Olympus", Count: 1}) {
			t.Errorf("no zone %d, invalid %+v; want 1 and Mars/Olympus 1", st.Delivery.NoTimezone, st.Delivery.InvalidTimezones)
		}
		if st.Send.Accepted != 7 {
			t.Errorf("at 10:00 UTC %d sent, want 7", st.Send.Accepted)
		}
	}, 22*time.Hour)
	res := r.run(t, tzInput())
	if res.Outcome != OutcomeSent || !res.Send.Done || res.Send.Accepted != 9 {
		t.Fatalf("outcome %q, send %+v; want all 9 sent", res.Outcome, res.Send)
	}
	wantSends := []groupSend{{tokyoAt, []string{"Asia/Tokyo"}}, {londonAt, []string{"", "Europe/Lisbon", "Europe/London", "Mars/Olympus"}}, {nyAt, []string{"America/New_York"}}}
	if len(*r.sends) != len(wantSends) {
		t.Fatalf("sends %+v, want %+v", *r.sends, wantSends)
	}
	for i, s := range *r.sends {
		if !s.at.Equal(wantSends[i].at) || !slices.Equal(s.zones, wantSends[i].zones) {
			t.Errorf("send %d at %s to %q, want at %s to %q", i, s.at, s.zones, wantSends[i].at, wantSends[i].zones)
		}
	}
	seen := r.delivered(t)
	for _, who := range []string{"tok1", "tok2", "lon1", "lon2", "lis", "none", "bad", "ny1", "ny2"} {
		if seen[who] != 1 {
			t.Errorf("%s delivered %d times, want once (log %v)", who, seen[who], seen)
		}
	}
	if len(seen) != 9 {
		t.Errorf("delivery log %v, want the 9 recipients", seen)
	}
	if res.Delivery.Groups[2].Summary != "America/New_York 09:00 sent 2" {
		t.Errorf("last group %q", res.Delivery.Groups[2].Summary)
	}
}

// Cancelled between groups, the send stops: the groups sent stay sent, the
// rest is listed as not sent.
func TestTZWindowsCancelBetweenGroups(t *testing.T) {
	r := newTZRig(t, false)
	r.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	r.env.RegisterDelayedCallback(func() {
		r.env.SignalWorkflow(SignalCancelSend, SendControlSignal{By: "ops@example.com", Token: r.operatorToken(t, "ops@example.com", token.ActionCancelSend)})
	}, 22*time.Hour)
	res := r.run(t, tzInput())
	d := res.Delivery
	if res.Outcome != OutcomeCancelled || res.Send.Done || res.Send.Accepted != 7 || len(*r.sends) != 2 {
		t.Fatalf("outcome %q, send %+v, %d sends; want cancelled after 7 in 2 groups", res.Outcome, res.Send, len(*r.sends))
	}
	if d.Unsent == nil || d.Unsent.Count != 2 || !slices.Equal(d.Unsent.Sample, []string{"ny1@example.com", "ny2@example.com"}) || d.Summary != "cancelled: 7 sent, 2 not sent" {
		t.Fatalf("delivery %+v unsent %+v", d, d.Unsent)
	}
	data, err := r.store.Get(context.Background(), *d.Unsent.List)
	if err != nil || !strings.Contains(string(data), "ny1@example.com,N1,America/New_York") {
		t.Errorf("unsent list %q, %v", data, err)
	}
	if got := d.Groups[2]; got.State != GroupCancelled || got.Summary != "America/New_York 09:00 cancelled, 0 of 2 sent" {
		t.Errorf("last group %+v", got)
	}
	seen := r.delivered(t)
	if len(seen) != 7 || seen["ny1"] != 0 || seen["ny2"] != 0 {
		t.Errorf("delivery log %v; want the 7 of the first two groups", seen)
	}
}

// Paused while the next group waits, that group holds past its instant;
// resumed, it goes then, and everyone is reached once.
func TestTZWindowsPauseHoldsTheNextGroup(t *testing.T) {
	r := newTZRig(t, false)
	r.signedAt(time.Hour, SignalApprove, ApproveSignal{By: "ana@example.com"})
	r.env.RegisterDelayedCallback(func() {
		r.env.SignalWorkflow(SignalPauseSend, SendControlSignal{By: "bo@example.com", Token: r.sendToken("bo@example.com", "pause")})
	}, 22*time.Hour)
	r.env.RegisterDelayedCallback(func() {
		st := r.status(t)
		if st.Stage != StagePaused || st.Delivery.Groups[2].State != GroupPaused || len(*r.sends) != 2 {
			t.Errorf("at 14:30 UTC: stage %s, groups %q, %d sends; want New York paused, not sent", st.Stage, summaries(st), len(*r.sends))
		}
	}, 26*time.Hour+30*time.Minute)
	r.env.RegisterDelayedCallback(func() {
		r.env.SignalWorkflow(SignalResumeSend, SendControlSignal{By: "bo@example.com", Token: r.sendToken("bo@example.com", "resume")})
	}, 27*time.Hour)
	res := r.run(t, tzInput())
	if res.Outcome != OutcomeSent || res.Send.Accepted != 9 || len(*r.sends) != 3 {
		t.Fatalf("outcome %q, send %+v, %d sends", res.Outcome, res.Send, len(*r.sends))
	}
	if at := (*r.sends)[2].at; !at.Equal(nyAt.Add(time.Hour)) {
		t.Errorf("New York sent at %s, want at the resume (15:00 UTC)", at)
	}
	seen := r.delivered(t)
	if len(seen) != 9 {
		t.Errorf("delivery log %v; want 9 recipients once", seen)
	}
	for who, n := range seen {
		if n != 1 {
			t.Errorf("%s delivered %d times", who, n)
		}
	}
}

// Time-zone windows need a send time, and a CRM that can list and filter
// recipients by time zone: otherwise the run fails at once, saying so.
func TestTZWindowsRefusedClearly(t *testing.T) {
	r := newTZRig(t, true)
	r.env.ExecuteWorkflow(WorkflowName, tzInput())
	if err := r.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "does not implement "+crm.PathRecipientTimezones) {
		t.Errorf("CRM without time zones: %v", err)
	}
	h := newHarness(t)
	in := tzInput()
	in.SendAt = ""
	h.env.ExecuteWorkflow(WorkflowName, in)
	if err := h.env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "tz_windows needs send_at") {
		t.Errorf("without a send time: %v", err)
	}
}
