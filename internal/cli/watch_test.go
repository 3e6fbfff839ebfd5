package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/halcytone/contentgen/workflows"
)

func TestWatchCreate(t *testing.T) {
	t.Run("canonical source, input and memo", func(t *testing.T) {
		f := &fakeClient{}
		e, stdout, _ := testEnv(f, map[string]string{"NEWSLETTER_APPROVERS": "ana@example.com"})
		err := Run(context.Background(), e, []string{"watch", "create", "--source", "notion:https://www.notion.so/halcytone/Weekly-940fd74a8b7d44adb5172009b87b2277",
			"--every", "10m", "--quiet", "45m", "--audience", "newsletter"})
		if err != nil {
			t.Fatal(err)
		}
		const src = "notion:940fd74a-8b7d-44ad-b517-2009b87b2277"
		if len(f.started) != 1 || f.started[0].ID != "watch-"+src || !f.started[0].WorkflowExecutionErrorWhenAlreadyStarted {
			t.Fatalf("started %+v", f.started)
		}
		if m := f.started[0].Memo; m[workflows.MemoWatchSource] != src || m[workflows.MemoWatchEvery] != "10m0s" || m[workflows.MemoWatchPaused] != false {
			t.Errorf("memo %v", m)
		}
		in := f.startInput[0].(workflows.WatchInput)
		if in.Source != src || in.Every.Std().String() != "10m0s" || in.Quiet.Std().String() != "45m0s" ||
			in.Run.Approvers[0] != "ana@example.com" || in.Run.Audience[0] != "newsletter" || in.TaskQueue != workflows.TaskQueue {
			t.Errorf("input %+v", in)
		}
		if !strings.Contains(stdout.String(), "watching "+src) {
			t.Errorf("stdout %q", stdout)
		}
	})
	t.Run("a language stays in the source, not in the watcher's ID", func(t *testing.T) {
		f := &fakeClient{}
		e, _, _ := testEnv(f, map[string]string{"NEWSLETTER_APPROVERS": "ana@example.com", "NEWSLETTER_LANG": "pt-br"})
		if err := Run(context.Background(), e, []string{"watch", "create", "--source", "gdocs:https://docs.google.com/document/d/1AbC/edit"}); err != nil {
			t.Fatal(err)
		}
		in := f.startInput[0].(workflows.WatchInput)
		if f.started[0].ID != "watch-gdocs:1AbC" || in.Source != "gdocs:1AbC;lang=pt-BR" {
			t.Errorf("watcher %s watching %q, want watch-gdocs:1AbC watching gdocs:1AbC;lang=pt-BR", f.started[0].ID, in.Source)
		}
	})
	t.Run("bad flags say what to pass", func(t *testing.T) {
		for args, want := range map[string]string{
			"--source gdocs:1AbC --approvers a@example.com --lang Portuguese": "--lang: language \"Portuguese\" is not a BCP 47 language tag",
			"--source markdown:doc.md --approvers a@example.com --every 10s":  "at least a minute",
			"--source markdown:doc.md --approvers a@example.com --quiet 0":    "--quiet",
			"--approvers a@example.com":                                       "--source is required",
			"--source markdown:doc.md":                                        "--approvers is required",
			"--source notion:not-a-page --approvers a@example.com":            "not a page ID",
		} {
			f := &fakeClient{}
			e, _, _ := testEnv(f, nil)
			err := Run(context.Background(), e, append([]string{"watch", "create"}, strings.Fields(args)...))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("watch create %s: err = %v, want it to mention %q", args, err, want)
			}
			if len(f.started) != 0 {
				t.Errorf("watch create %s started a watcher", args)
			}
		}
	})
}

func TestWatchPauseSignalsTheDocumentsWatcher(t *testing.T) {
	f := &fakeClient{}
	e, stdout, _ := testEnv(f, nil)
	if err := Run(context.Background(), e, []string{"watch", "pause", "--source", "gdocs:https://docs.google.com/document/d/1AbCdEf_123/edit", "--by", "ops@example.com"}); err != nil {
		t.Fatal(err)
	}
	if len(f.signals) != 1 || f.signals[0].id != "watch-gdocs:1AbCdEf_123" || f.signals[0].name != workflows.SignalWatchPause ||
		f.signals[0].arg != (workflows.WatchPause{By: "ops@example.com"}) {
		t.Fatalf("signals %+v", f.signals)
	}
	if !strings.Contains(stdout.String(), "paused watch-gdocs:1AbCdEf_123") {
		t.Errorf("stdout %q", stdout)
	}
}
