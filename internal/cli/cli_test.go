package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"

	"github.com/halcytone/contentgen/workflows"
)

func notFound(id string) error { return serviceerror.NewNotFound("workflow not found: " + id) }

func TestResolveFindsTheEditionsRun(t *testing.T) {
	ctx := context.Background()
	old := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		target  target
		fake    *fakeClient
		want    string
		wantErr []string // substrings of the error; nil means no error
	}{
		{
			name:   "started by hand",
			target: target{edition: "2026-W48"},
			fake:   &fakeClient{},
			want:   "newsletter-2026-W48",
		},
		{
			name:   "workflow ID given: no lookup",
			target: target{edition: "2026-W48", workflowID: "newsletter-weekly-2026"},
			fake:   &fakeClient{describe: map[string]error{"newsletter-weekly-2026": errors.New("must not be called")}},
			want:   "newsletter-weekly-2026",
		},
		{
			name:   "newest scheduled run",
			target: target{edition: "2026-W48"},
			fake: &fakeClient{
				describe: map[string]error{"newsletter-2026-W48": notFound("newsletter-2026-W48")},
				list: []*workflowpb.WorkflowExecutionInfo{
					execution("newsletter-weekly-old", old),
					execution("newsletter-weekly-new", old.Add(time.Hour)),
					execution("newsletter-weekly-mid", old.Add(time.Minute)),
				},
			},
			want: "newsletter-weekly-new",
		},
		{
			name:    "server unavailable is reported, not guessed around",
			target:  target{edition: "2026-W48"},
			fake:    &fakeClient{describe: map[string]error{"newsletter-2026-W48": serviceerror.NewUnavailable("connection refused")}},
			wantErr: []string{"edition 2026-W48", "describe newsletter-2026-W48", "connection refused"},
		},
		{
			name:    "permission denied is reported",
			target:  target{edition: "2026-W48"},
			fake:    &fakeClient{describe: map[string]error{"newsletter-2026-W48": serviceerror.NewPermissionDenied("namespace newsletter", "")}},
			wantErr: []string{"describe newsletter-2026-W48", "namespace newsletter"},
		},
		{
			name:   "list fails",
			target: target{edition: "2026-W48"},
			fake: &fakeClient{
				describe: map[string]error{"newsletter-2026-W48": notFound("newsletter-2026-W48")},
				listErr:  serviceerror.NewInvalidArgument("unknown search attribute NewsletterEdition"),
			},
			wantErr: []string{"no workflow newsletter-2026-W48", `NewsletterEdition = "2026-W48"`, "search attribute registered", "unknown search attribute"},
		},
		{
			name:   "no run at all",
			target: target{edition: "2026-W48"},
			fake: &fakeClient{
				describe: map[string]error{"newsletter-2026-W48": notFound("newsletter-2026-W48")},
			},
			wantErr: []string{"no run of edition 2026-W48", "--workflow-id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.target.resolve(ctx, tt.fake)
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Fatalf("resolve = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("resolve = %q, want an error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestRejectDoesNotSignalAGuessWhenTheServerFails(t *testing.T) {
	f := &fakeClient{describe: map[string]error{"newsletter-2026-W48": serviceerror.NewUnavailable("connection refused")}}
	e, _, _ := testEnv(f, nil)
	err := Run(context.Background(), e, []string{"reject", "--edition", "2026-W48", "--by", "ana@example.com", "--token", "v1.t", "--signal"})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("reject: err = %v, want the server's error", err)
	}
	if len(f.signals) != 0 {
		t.Fatalf("signals sent despite the failed lookup: %+v", f.signals)
	}
	if !f.closed {
		t.Error("client not closed")
	}
}

func TestSignalsGoToTheScheduledRun(t *testing.T) {
	f := &fakeClient{
		describe: map[string]error{"newsletter-2026-W48": notFound("newsletter-2026-W48")},
		list:     []*workflowpb.WorkflowExecutionInfo{execution("newsletter-weekly-2026-11-23T09:00:00Z", time.Now())},
	}
	e, stdout, _ := testEnv(f, map[string]string{"NEWSLETTER_APPROVER": "bo@example.com"})
	if err := Run(context.Background(), e, []string{"reject", "--edition", "2026-W48", "--reason", "dates", "--token", "v1.t", "--signal"}); err != nil {
		t.Fatal(err)
	}
	if len(f.signals) != 1 {
		t.Fatalf("signals = %+v, want one", f.signals)
	}
	s := f.signals[0]
	want := workflows.RejectSignal{By: "bo@example.com", Reason: "dates", Token: "v1.t"}
	if s.id != "newsletter-weekly-2026-11-23T09:00:00Z" || s.name != workflows.SignalReject || s.arg != want {
		t.Errorf("signal = %+v, want reject %+v to the scheduled run", s, want)
	}
	if !strings.Contains(stdout.String(), "reject signal sent to newsletter-weekly-2026-11-23T09:00:00Z") {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestStatusPrintsTheRunsStatus(t *testing.T) {
	f := &fakeClient{query: map[string]any{workflows.QueryStatus: workflows.Status{
		Stage: workflows.StageAwaitingApproval, Edition: "2026-W48", Source: "markdown:doc.md",
		Approvers: []string{"ana@example.com"}, Warnings: []string{"image missing"},
	}}}
	e, stdout, _ := testEnv(f, nil)
	if err := Run(context.Background(), e, []string{"status", "--edition", "2026-W48"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"newsletter-2026-W48  stage awaiting_approval", "approved by nobody yet", "warning: image missing"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestStart(t *testing.T) {
	t.Run("approvers from the environment", func(t *testing.T) {
		f := &fakeClient{}
		e, stdout, _ := testEnv(f, map[string]string{"NEWSLETTER_APPROVERS": "ana@example.com, bo@example.com", "NEWSLETTER_SOURCE": "markdown:doc.md"})
		if err := Run(context.Background(), e, []string{"start", "--edition", "2026-W48"}); err != nil {
			t.Fatal(err)
		}
		if len(f.started) != 1 || f.started[0].ID != "newsletter-2026-W48" || f.started[0].TaskQueue != workflows.TaskQueue {
			t.Fatalf("started = %+v", f.started)
		}
		in := f.startInput[0].(workflows.Input)
		if in.Source != "markdown:doc.md" || strings.Join(in.Approvers, "|") != "ana@example.com|bo@example.com" {
			t.Errorf("input = %+v", in)
		}
		if !strings.Contains(stdout.String(), "started newsletter-2026-W48") {
			t.Errorf("stdout = %q", stdout)
		}
	})
	t.Run("the document's language joins the source", func(t *testing.T) {
		for _, tt := range []struct {
			args   []string
			vars   map[string]string
			source string
		}{
			{[]string{"--source", "gdocs:1AbC", "--lang", "pt-br"}, nil, "gdocs:1AbC;lang=pt-BR"},
			{[]string{"--source", "notion:0f3c"}, map[string]string{"NEWSLETTER_LANG": "ar"}, "notion:0f3c;lang=ar"},
			{[]string{"--source", "gdocs:1AbC;lang=de"}, nil, "gdocs:1AbC;lang=de"},
			{[]string{"--source", "gdocs:1AbC;lang=de", "--lang", "fr"}, nil, "gdocs:1AbC;lang=fr"},
			{[]string{"--source", "markdown:doc.md"}, nil, "markdown:doc.md"},
		} {
			f := &fakeClient{}
			e, _, _ := testEnv(f, tt.vars)
			if err := Run(context.Background(), e, append([]string{"start", "--edition", "2026-W48", "--approvers", "a@example.com"}, tt.args...)); err != nil {
				t.Fatalf("start %v: %v", tt.args, err)
			}
			if in := f.startInput[0].(workflows.Input); in.Source != tt.source {
				t.Errorf("start %v %v: source %q, want %q", tt.args, tt.vars, in.Source, tt.source)
			}
		}
	})
	t.Run("missing flags say what to pass", func(t *testing.T) {
		for args, want := range map[string]string{
			"--edition 2026-W48 --source gdocs:1AbC --approvers a@example.com --lang xx":    "--lang: language \"xx\" is not a BCP 47 language tag: use one such as en, pt-BR",
			"--edition 2026-W48 --source gdocs:1AbC;lang=english --approvers a@example.com": "--source: source",
			"--edition 2026-W48 --source gdoc:1AbC --approvers a@example.com":               "unknown kind",
			"--edition 2026-W48 --approvers a@example.com":                                  "--source is required",
			"--edition 2026-W48 --source markdown:doc.md":                                   "--approvers is required",
			"--edition 2026/W48 --source markdown:doc.md --approvers a@example.com":         "2026/W48",
		} {
			f := &fakeClient{}
			e, _, _ := testEnv(f, nil)
			err := Run(context.Background(), e, append([]string{"start"}, strings.Fields(args)...))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("start %s: err = %v, want it to mention %q", args, err, want)
			}
			if len(f.started) != 0 {
				t.Errorf("start %s started a run", args)
			}
		}
	})
	t.Run("a start does not attach to the edition's run", func(t *testing.T) {
		f := &fakeClient{running: map[string]string{"newsletter-2026-W48": "run-7"}}
		e, stdout, _ := testEnv(f, nil)
		err := Run(context.Background(), e, []string{"start", "--edition", "2026-W48", "--source", "markdown:doc.md", "--approvers", "a@example.com"})
		if err == nil {
			t.Fatalf("start attached to the running edition: stdout %q", stdout)
		}
		for _, want := range []string{"newsletter-2026-W48", "run-7", "starter status --edition 2026-W48"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to name %q", err, want)
			}
		}
		if strings.Contains(stdout.String(), "started") {
			t.Errorf("stdout = %q, want nothing said started", stdout)
		}
	})
	t.Run("a second start of an edition is explained", func(t *testing.T) {
		f := &fakeClient{startErr: serviceerror.NewWorkflowExecutionAlreadyStarted("already started", "", "")}
		e, _, _ := testEnv(f, nil)
		err := Run(context.Background(), e, []string{"start", "--edition", "2026-W48", "--source", "markdown:doc.md", "--approvers", "a@example.com"})
		if err == nil || !strings.Contains(err.Error(), "already has a run") || !strings.Contains(err.Error(), "starter status --edition 2026-W48") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRenderWritesEveryChannelWithoutTemporal(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.md")
	if err := os.WriteFile(doc, []byte("# Breathscape\n\nA new breathing session.\n\n# Tips\n\nBreathe slowly.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	e := &Env{Lookup: func(string) string { return "" }, Stdout: new(strings.Builder), Stderr: new(strings.Builder),
		Dial: func(context.Context) (client.Client, error) { return nil, errors.New("render must not dial Temporal") }}
	if err := Run(context.Background(), e, []string{"render", "--source", "markdown:" + doc, "--edition", "2026-W48", "--out", out}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"email.html", "email.txt", "web.html", "web.md", "email.subject.txt"} {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Breathe slowly") && name != "email.subject.txt" {
			t.Errorf("%s lacks the document's text:\n%s", name, b)
		}
	}
	if !strings.Contains(e.Stdout.(*strings.Builder).String(), "wrote") {
		t.Errorf("stdout = %q", e.Stdout)
	}
}

func TestRunUsage(t *testing.T) {
	e, stdout, stderr := testEnv(&fakeClient{}, nil)
	if err := Run(context.Background(), e, nil); err != nil || !strings.Contains(stdout.String(), "Commands:") {
		t.Errorf("no args: err %v, stdout %q", err, stdout)
	}
	err := Run(context.Background(), e, []string{"aprove"})
	if err == nil || !strings.Contains(err.Error(), `unknown command "aprove"`) || !strings.Contains(stderr.String(), "approve") {
		t.Errorf("unknown command: err %v, stderr %q", err, stderr)
	}
	if err := Run(context.Background(), e, []string{"approve", "-h"}); err != nil || !strings.Contains(stderr.String(), "--by") && !strings.Contains(stderr.String(), "-by") {
		t.Errorf("approve -h: err %v, stderr %q", err, stderr)
	}
	if err := Run(context.Background(), e, []string{"approve", "--edition", "2026-W48"}); err == nil || !strings.Contains(err.Error(), "--by is required") {
		t.Errorf("approve without --by: err %v", err)
	}
}
